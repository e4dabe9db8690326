using Microsoft.Extensions.DependencyInjection;
using NodeDb.Orleans.Grains;
using NodeDb.Orleans.Grains.Recovery;
using NodeDb.Orleans.Grains.Ticking;
using NodeDb.Orleans.Tests.Cluster;
using NodeDb.Orleans.Tests.Firing;

namespace NodeDb.Orleans.Tests.Recovery;

/// <summary>
/// The wake registry: a silo's death wakes the schedules that silo held and no others; under storage faults a shard
/// whose claim write fails must not count the cause as handled, and one shard that cannot be claimed must not cost the
/// keys of the shards that were. (The fault tests wake for a cluster start, which wakes every schedule.)
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class WakeRegistryTests
{
    private const string Tenant = "wake";
    private static readonly string[] Names = ["a", "b", "c", "d", "e", "f", "g", "h"];

    [Fact]
    public async Task A_claim_whose_write_failed_is_claimed_again_by_the_retry()
    {
        var faults = new StorageFaults();
        await using var cluster = await StartAsync(faults);
        var shard = WakeShards.ShardOf(ScheduleKey.Of(Tenant, Names[0]));

        // The first claim write of one shard fails; the watcher's retry must find the cause unhandled.
        faults.Fail("wake", shard, times: 1);
        var report = await Watcher(cluster, 0).WakeAsync("start:silo-1", TestContext.Current.CancellationToken);

        Assert.Equal(1, faults.Failed);
        Assert.Equal(Names.Length, report.Poked);
        Assert.Equal(0, report.ShardsFailed);
    }

    [Fact]
    public async Task A_shard_that_cannot_be_claimed_costs_no_other_shard_its_keys_and_stays_claimable()
    {
        var faults = new StorageFaults();
        await using var cluster = await StartAsync(faults);
        var shard = WakeShards.ShardOf(ScheduleKey.Of(Tenant, Names[0]));
        var inShard = Names.Count(n => WakeShards.ShardOf(ScheduleKey.Of(Tenant, n)) == shard);

        faults.Fail("wake", shard);
        var first = await Watcher(cluster, 0).WakeAsync("start:silo-2", TestContext.Current.CancellationToken);

        Assert.Equal(Names.Length - inShard, first.Poked);
        Assert.Equal(1, first.ShardsFailed);

        // Storage is back: another survivor's wake for the same death takes exactly the shard left unclaimed.
        faults.Clear();
        var second = await Watcher(cluster, 1).WakeAsync("start:silo-2", TestContext.Current.CancellationToken);
        Assert.Equal(inShard, second.Poked);
        Assert.Equal(0, second.ShardsFailed);
    }

    [Fact]
    public async Task The_claimer_that_won_a_cause_gets_the_keys_again_and_no_one_else_does()
    {
        var faults = new StorageFaults();
        await using var cluster = await StartAsync(faults);
        var shard = cluster.Internal.GetGrain<IScheduleWakeShardGrain>(WakeShards.ShardOf(ScheduleKey.Of(Tenant, Names[0]))); // an internal grain: called as a silo would

        var won = await shard.ClaimWakeAsync("start:silo-3", "silo-a");
        Assert.Contains(ScheduleKey.Of(Tenant, Names[0]), won);

        // silo-a's answer was lost and it asks again: same keys. silo-b came second: nothing.
        Assert.Equal(won, await shard.ClaimWakeAsync("start:silo-3", "silo-a"));
        Assert.Empty(await shard.ClaimWakeAsync("start:silo-3", "silo-b"));
    }

    [Fact]
    public async Task A_dead_silo_wakes_exactly_the_schedules_whose_tick_index_it_held()
    {
        await using var cluster = await StartAsync(new StorageFaults());
        var keys = Names.Select(n => ScheduleKey.Of(Tenant, n)).ToHashSet(StringComparer.Ordinal);
        var held = cluster.SiloServices
            .Select(s => (Silo: s.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToParsableString(),
                Keys: s.GetRequiredService<DueIndex>().Keys().Where(keys.Contains).ToHashSet(StringComparer.Ordinal)))
            .ToList();
        Assert.Equal(keys.Count, held.Sum(h => h.Keys.Count));

        // One silo dies, seen by the other: only what the dead silo's tick index held is poked. (The one holding fewer,
        // possibly none: waking every key, as a registry without hosts does, cannot pass for it.)
        var (silo, expected) = held.MinBy(h => h.Keys.Count);
        var survivor = cluster.SiloServices.Single(s => s.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToParsableString() != silo);
        var survivorName = survivor.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToParsableString();
        var report = await survivor.GetRequiredService<FailoverWatcher>().WakeAsync(silo, TestContext.Current.CancellationToken);
        var poked = new List<string>();
        foreach (var shard in WakeShards.All)
        {
            // The winner gets the keys again when it asks again: what this wake poked, shard by shard.
            poked.AddRange(await cluster.Internal.GetGrain<IScheduleWakeShardGrain>(shard).ClaimWakeAsync(silo, survivorName));
        }

        Assert.Equal(expected.Count, report.Poked);
        Assert.Equal(expected.Order(StringComparer.Ordinal), poked.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_schedule_is_woken_for_the_silo_it_lives_on_for_a_claimer_that_died_before_poking_it_and_with_no_recorded_host_for_any_death()
    {
        await using var cluster = await StartAsync(new StorageFaults());
        var moved = ScheduleKey.Of("wake-unit", "moved");
        var legacy = ScheduleKey.Of("wake-unit", "legacy");
        var first = cluster.Internal.GetGrain<IScheduleWakeShardGrain>(WakeShards.ShardOf(moved)); // an internal grain: called as a silo would
        var second = cluster.Internal.GetGrain<IScheduleWakeShardGrain>(WakeShards.ShardOf(legacy));

        await first.RegisterAsync(moved, "silo-a");
        await first.RegisterAsync(moved, "silo-b");
        await second.AddAsync(legacy); // registered before hosts were recorded

        Assert.DoesNotContain(moved, await first.ClaimWakeAsync("silo-a", "survivor"));
        Assert.Contains(moved, await first.ClaimWakeAsync("silo-b", "survivor"));
        Assert.Contains(legacy, await second.ClaimWakeAsync("silo-c", "survivor"));
        Assert.Contains(moved, await first.ClaimWakeAsync("start:silo-d", "survivor"));

        // A SCOPE LOCAL schedule has a run on every silo: every death concerns it.
        var everywhere = ScheduleKey.Of("wake-unit", "everywhere");
        var fourth = cluster.Internal.GetGrain<IScheduleWakeShardGrain>(WakeShards.ShardOf(everywhere));
        await fourth.RegisterAsync(everywhere, IScheduleWakeShardGrain.AnyHost);
        Assert.Contains(everywhere, await fourth.ClaimWakeAsync("silo-x", "survivor"));
        Assert.Contains(everywhere, await fourth.ClaimWakeAsync("silo-y", "survivor"));

        // silo-e dies; silo-f wins its wake and dies before it has poked (the key still names silo-e): silo-f's
        // own death wakes it, and so does the death of silo-g, who won silo-f's wake and died too.
        var stranded = ScheduleKey.Of("wake-unit", "stranded");
        var third = cluster.Internal.GetGrain<IScheduleWakeShardGrain>(WakeShards.ShardOf(stranded));
        await third.RegisterAsync(stranded, "silo-e");
        Assert.Contains(stranded, await third.ClaimWakeAsync("silo-e", "silo-f"));
        Assert.Contains(stranded, await third.ClaimWakeAsync("silo-f", "silo-g"));
        Assert.Contains(stranded, await third.ClaimWakeAsync("silo-g", "silo-h"));
        Assert.DoesNotContain(stranded, await third.ClaimWakeAsync("silo-z", "silo-h"));

        // Poked in time, it lives on silo-h now: silo-f's death no longer concerns it (silo-g, its winner, asks again).
        await third.RegisterAsync(stranded, "silo-h");
        Assert.DoesNotContain(stranded, await third.ClaimWakeAsync("silo-f", "silo-g"));

        // Disabled or dropped: gone from the registry, host and all.
        await first.RemoveAsync(moved);
        Assert.DoesNotContain(moved, await first.ClaimWakeAsync("silo-b-again", "survivor"));
        Assert.DoesNotContain(moved, await first.ListAsync());
    }

    private static FailoverWatcher Watcher(SchedulerCluster cluster, int silo) =>
        cluster.SiloServices.ElementAt(silo).GetRequiredService<FailoverWatcher>();

    private static async Task<SchedulerCluster> StartAsync(StorageFaults faults)
    {
        var cluster = await SchedulerCluster.StartAsync(storage: (silo, _) =>
        {
            silo.AddMemoryGrainStorage(StorageNames.Schedules);
            silo.UseInMemoryReminderService();
            FaultyGrainStorage.Wrap(silo.Services, StorageNames.Schedules, faults);
        });

        // Yearly schedules: registered in the wake registry, never due during the test.
        foreach (var name in Names)
        {
            await cluster.CreateAsync(Tenant, name, "0 0 1 1 *");
        }

        return cluster;
    }
}
