using Microsoft.Extensions.DependencyInjection;
using NodeDb.Orleans.Grains;
using NodeDb.Orleans.Grains.Recovery;
using NodeDb.Orleans.Grains.Storage;
using NodeDb.Orleans.Tests.Cluster;
using NodeDb.Orleans.Tests.Recovery;

namespace NodeDb.Orleans.Tests.Firing;

/// <summary>What the creation tests share: a SQLite cluster whose schedule storage fails on demand, and the pieces of a stored schedule.</summary>
internal static class StoredSchedules
{
    /// <summary>One silo on SQLite storage whose schedule writes fail as <paramref name="faults"/> says.</summary>
    public static Task<SchedulerCluster> StartSqliteAsync(StorageFaults faults, bool sqlRunner = false) =>
        SchedulerCluster.StartAsync(silos: 1, sqlRunner: sqlRunner, storage: (silo, data) =>
        {
            SchedulerCluster.SqliteStorage(silo, data);
            FaultyGrainStorage.Wrap(silo.Services, StorageNames.Schedules, faults);
        });

    /// <summary>
    /// Asserts every piece of a stored schedule but its state: its name in the tenant's index, its wake entry and its
    /// reminder. Reads none of them through the schedule's grain, so it activates nothing.
    /// </summary>
    public static async Task AssertIndexedWakeableAsync(SchedulerCluster cluster, string tenant, string name)
    {
        var key = ScheduleKey.Of(tenant, name);
        Assert.Contains(name, await cluster.Client.GetGrain<ITenantSchedulesGrain>(tenant).ListAsync());
        Assert.Contains(key, await WakeKeysAsync(cluster, tenant, name));
        var reminders = cluster.SiloServices.First().GetRequiredService<IReminderTable>();
        Assert.NotNull(await reminders.ReadRow(cluster.Internal.GetGrain<IScheduleGrain>(key).GetGrainId(), "nodedb-wake"));
    }

    /// <summary>The keys the wake shard of <paramref name="name"/> holds.</summary>
    public static Task<System.Collections.Immutable.ImmutableArray<string>> WakeKeysAsync(SchedulerCluster cluster, string tenant, string name) =>
        cluster.Internal.GetGrain<IScheduleWakeShardGrain>(WakeShards.ShardOf(ScheduleKey.Of(tenant, name))).ListAsync();
}
