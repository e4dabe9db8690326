using Microsoft.Extensions.DependencyInjection;
using NodeDb.Orleans.Grains;
using NodeDb.Orleans.Grains.Recovery;
using NodeDb.Orleans.Grains.Schedules;
using NodeDb.Orleans.Grains.Storage;
using NodeDb.Orleans.Tests.Cluster;
using NodeDb.Orleans.Tests.Firing;
using NodeDb.Orleans.Tests.Recovery;
using Orleans.Storage;

namespace NodeDb.Orleans.Tests.Storage;

/// <summary>
/// Index buckets and wake shards keep their names in segments of at most <see cref="SegmentedNameSet.SegmentCapacity"/>
/// (issue 13: one row re-serialized every name on each add), read the single rows earlier versions wrote and move them
/// into segments, and never leave a stored schedule that nothing lists or wakes when a segment write fails.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class SegmentedNameSetTests
{
    private const string Yearly = "0 0 1 1 *";

    [Fact]
    public async Task A_bucket_stores_its_names_in_bounded_segments_and_a_new_activation_reads_them_all_back()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 1, storage: SchedulerCluster.SqliteStorage);
        var bucket = cluster.Internal.GetGrain<ITenantScheduleBucketGrain>("seg#1");
        var names = Enumerable.Range(0, 100).Select(i => $"n{i:D3}").ToArray();

        await Task.WhenAll(names.Select(bucket.AddAsync));
        await bucket.RemoveAsync("n007");
        await bucket.AddAsync("n007"); // back into the segment it had: never twice
        await bucket.RemoveAsync("n050");

        var expected = names.Where(n => n != "n050").ToArray();
        var (header, segments) = await ReadBucketAsync(cluster, "seg#1");
        Assert.Empty(header.Names);
        Assert.Equal(4, header.Segments); // 100 names, 32 a segment
        Assert.Equal(header.Segments, segments.Count);
        Assert.All(segments, s => Assert.InRange(s.Entries.Count, 0, SegmentedNameSet.SegmentCapacity));
        Assert.Equal(expected, segments.SelectMany(s => s.Entries.Keys).Order(StringComparer.Ordinal));

        // A new activation reads every segment; its adds fill the hole n050 left before opening a fifth segment.
        await cluster.Internal.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero, TestContext.Current.CancellationToken);
        Assert.Equal(expected, (await bucket.ListAsync()).Order(StringComparer.Ordinal));
        await bucket.AddAsync("z");
        (header, segments) = await ReadBucketAsync(cluster, "seg#1");
        Assert.Equal(4, header.Segments);
        Assert.Equal(expected.Append("z").Order(StringComparer.Ordinal), segments.SelectMany(s => s.Entries.Keys).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Segments_past_a_lost_segment_count_are_still_read_and_the_count_is_written_again()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 1, storage: SchedulerCluster.SqliteStorage);
        var bucket = cluster.Internal.GetGrain<ITenantScheduleBucketGrain>("lost#2");
        var names = Enumerable.Range(0, 40).Select(i => $"n{i:D2}").ToArray();
        await Task.WhenAll(names.Select(bucket.AddAsync));

        // The bucket's own row rewritten without its count, as a silo of a version before segments would write it.
        var storage = Storage(cluster);
        var id = bucket.GetGrainId();
        var header = new GrainState<TenantSchedulesState>(new TenantSchedulesState());
        await storage.ReadStateAsync(TenantScheduleBucketGrain.StateName, id, header);
        Assert.Equal(2, header.State!.Segments);
        header.State.Segments = 0;
        await storage.WriteStateAsync(TenantScheduleBucketGrain.StateName, id, header);
        await cluster.Internal.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero, TestContext.Current.CancellationToken);

        Assert.Equal(names, (await bucket.ListAsync()).Order(StringComparer.Ordinal));
        await bucket.AddAsync("z");
        var (again, segments) = await ReadBucketAsync(cluster, "lost#2");
        Assert.Equal(2, again.Segments);
        Assert.Equal(names.Append("z"), segments.SelectMany(s => s.Entries.Keys).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Rows_of_an_earlier_version_are_read_and_moved_into_segments_with_their_hosts()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 1, storage: SchedulerCluster.SqliteStorage);
        var storage = Storage(cluster);

        // What a version before segments wrote: every name in the one row of the bucket or shard. (Shard "99" is outside
        // the 64 the silo wakes at start, so no activation reads it before the old row is in place.)
        var bucketId = cluster.Internal.GetGrain<ITenantScheduleBucketGrain>("old#5").GetGrainId();
        await storage.WriteStateAsync(TenantScheduleBucketGrain.StateName, bucketId,
            new GrainState<TenantSchedulesState>(new TenantSchedulesState { Names = new HashSet<string>(["a", "b", "c"], StringComparer.Ordinal) }));
        var shardId = cluster.Internal.GetGrain<IScheduleWakeShardGrain>("99").GetGrainId();
        await storage.WriteStateAsync(ScheduleWakeShardGrain.StateName, shardId, new GrainState<WakeShardState>(new WakeShardState
        {
            Keys = ["old/k1", "old/k2", "old/k3"],
            Hosts = new Dictionary<string, string>(StringComparer.Ordinal) { ["old/k1"] = "silo-x", ["old/k2"] = "silo-y" },
            HandledCauses = ["start:before"],
            Claimers = new Dictionary<string, string>(StringComparer.Ordinal) { ["start:before"] = "silo-z" },
        }));

        Assert.Equal(["a", "b", "c"], (await cluster.Internal.GetGrain<ITenantScheduleBucketGrain>("old#5").ListAsync()).Order(StringComparer.Ordinal));
        var shard = cluster.Internal.GetGrain<IScheduleWakeShardGrain>("99");
        Assert.Equal(["old/k1", "old/k2", "old/k3"], await shard.ListAsync());
        // Hosts came along: silo-x's death wakes its key and the one with no host, not silo-y's; the old claims still hold.
        Assert.Equal(["old/k1", "old/k3"], await shard.ClaimWakeAsync("silo-x", "silo-w"));
        Assert.Equal(["old/k1", "old/k2", "old/k3"], await shard.ClaimWakeAsync("start:before", "silo-z"));

        var (header, segments) = await ReadBucketAsync(cluster, "old#5");
        Assert.Empty(header.Names);
        Assert.Equal(["a", "b", "c"], segments.SelectMany(s => s.Entries.Keys).Order(StringComparer.Ordinal));

        var wake = new GrainState<WakeShardState>(new WakeShardState());
        await storage.ReadStateAsync(ScheduleWakeShardGrain.StateName, shardId, wake);
        Assert.Empty(wake.State!.Keys);
        Assert.Empty(wake.State.Hosts);
        Assert.Equal(1, wake.State.Segments);
        var segment = new GrainState<NameSegmentState>(new NameSegmentState());
        await storage.ReadStateAsync(SegmentedNameSet.SegmentName(ScheduleWakeShardGrain.StateName, 0), shardId, segment);
        Assert.Equal("silo-x", segment.State!.Entries["old/k1"]);
        Assert.Equal("silo-y", segment.State.Entries["old/k2"]);
        Assert.Equal(string.Empty, segment.State.Entries["old/k3"]);
    }

    [Fact]
    public async Task A_bulk_create_whose_segment_writes_fail_part_way_leaves_every_stored_schedule_listed_and_woken()
    {
        var faults = new StorageFaults();
        await using var cluster = await SchedulerCluster.StartAsync(silos: 1, storage: (silo, data) =>
        {
            SchedulerCluster.SqliteStorage(silo, data);
            FaultyGrainStorage.Wrap(silo.Services, StorageNames.Schedules, faults);
        });
        var names = Enumerable.Range(0, 300).Select(i => $"p{i:D3}").ToArray();

        // The first segment of three index buckets and of three wake shards fails a few writes in the middle of the import.
        foreach (var b in names.Select(Bucket).Distinct().Take(3))
        {
            faults.Fail(SegmentedNameSet.SegmentName(TenantScheduleBucketGrain.StateName, 0), $"part#{b}", times: 2);
        }

        foreach (var s in names.Select(n => WakeShards.ShardOf(ScheduleKey.Of("part", n))).Distinct().Take(3))
        {
            faults.Fail(SegmentedNameSet.SegmentName(ScheduleWakeShardGrain.StateName, 0), s, times: 2);
        }

        // A storage failure of one definition fails the call (the refusals it reports are a definition's own errors); what
        // matters is what is stored.
        await Assert.ThrowsAnyAsync<Exception>(() => cluster.Client.GetGrain<ITenantSchedulesGrain>("part").CreateManyAsync(
            [.. names.Select(n => new ScheduleDefinition { Tenant = "part", Name = n, Cron = Yearly, Body = "BEGIN SELECT 1; END" })]));

        Assert.True(faults.Failed > 0);
        var listed = (await cluster.Client.GetGrain<ITenantSchedulesGrain>("part").ListAsync()).ToHashSet(StringComparer.Ordinal);
        var stored = new List<string>();
        foreach (var name in names)
        {
            if (await cluster.Schedule("part", name).GetStatusAsync() is null)
            {
                continue;
            }

            stored.Add(name);
            var key = ScheduleKey.Of("part", name);
            Assert.Contains(name, listed);
            Assert.Contains(key, await cluster.Internal.GetGrain<IScheduleWakeShardGrain>(WakeShards.ShardOf(key)).ListAsync());
        }

        Assert.InRange(stored.Count, 1, names.Length - 1);

        // After a fresh activation of every bucket and shard, storage says the same.
        await cluster.Internal.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero, TestContext.Current.CancellationToken);
        var relisted = (await cluster.Client.GetGrain<ITenantSchedulesGrain>("part").ListAsync()).ToHashSet(StringComparer.Ordinal);
        foreach (var name in stored)
        {
            var key = ScheduleKey.Of("part", name);
            Assert.Contains(name, relisted);
            Assert.Contains(key, await cluster.Internal.GetGrain<IScheduleWakeShardGrain>(WakeShards.ShardOf(key)).ListAsync());
        }
    }

    private static IGrainStorage Storage(SchedulerCluster cluster) =>
        cluster.SiloServices.First().GetRequiredKeyedService<IGrainStorage>(StorageNames.Schedules);

    private static async Task<(TenantSchedulesState Header, List<NameSegmentState> Segments)> ReadBucketAsync(SchedulerCluster cluster, string key)
    {
        var storage = Storage(cluster);
        var id = cluster.Internal.GetGrain<ITenantScheduleBucketGrain>(key).GetGrainId();
        var header = new GrainState<TenantSchedulesState>(new TenantSchedulesState());
        await storage.ReadStateAsync(TenantScheduleBucketGrain.StateName, id, header);
        var segments = new List<NameSegmentState>();
        for (var i = 0; i < header.State!.Segments; i++)
        {
            var segment = new GrainState<NameSegmentState>(new NameSegmentState());
            await storage.ReadStateAsync(SegmentedNameSet.SegmentName(TenantScheduleBucketGrain.StateName, i), id, segment);
            Assert.True(segment.RecordExists);
            segments.Add(segment.State!);
        }

        return (header.State, segments);
    }

    private static long Bucket(string name) => Grains.Health.ShardRouting.StableHash(name) % TenantSchedulesGrain.BucketCount;
}
