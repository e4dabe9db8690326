using Microsoft.Extensions.DependencyInjection;
using NodeDb.Orleans.Grains;
using NodeDb.Orleans.Grains.Recovery;
using NodeDb.Orleans.Tests.Cluster;
using NodeDb.Orleans.Tests.Firing;

namespace NodeDb.Orleans.Tests.Recovery;

/// <summary>
/// The wake registry under storage faults: a shard whose claim write fails must not count the cause as handled,
/// and one shard that cannot be claimed must not cost the keys of the shards that were.
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
        var report = await Watcher(cluster, 0).WakeAsync("dead-silo-1", TestContext.Current.CancellationToken);

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
        var first = await Watcher(cluster, 0).WakeAsync("dead-silo-2", TestContext.Current.CancellationToken);

        Assert.Equal(Names.Length - inShard, first.Poked);
        Assert.Equal(1, first.ShardsFailed);

        // Storage is back: another survivor's wake for the same death takes exactly the shard left unclaimed.
        faults.Clear();
        var second = await Watcher(cluster, 1).WakeAsync("dead-silo-2", TestContext.Current.CancellationToken);
        Assert.Equal(inShard, second.Poked);
        Assert.Equal(0, second.ShardsFailed);
    }

    [Fact]
    public async Task The_claimer_that_won_a_cause_gets_the_keys_again_and_no_one_else_does()
    {
        var faults = new StorageFaults();
        await using var cluster = await StartAsync(faults);
        var shard = cluster.Internal.GetGrain<IScheduleWakeShardGrain>(WakeShards.ShardOf(ScheduleKey.Of(Tenant, Names[0]))); // an internal grain: called as a silo would

        var won = await shard.ClaimWakeAsync("dead-silo-3", "silo-a");
        Assert.Contains(ScheduleKey.Of(Tenant, Names[0]), won);

        // silo-a's answer was lost and it asks again: same keys. silo-b came second: nothing.
        Assert.Equal(won, await shard.ClaimWakeAsync("dead-silo-3", "silo-a"));
        Assert.Empty(await shard.ClaimWakeAsync("dead-silo-3", "silo-b"));
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
