using Microsoft.Extensions.DependencyInjection;
using NodeDb.Orleans.Grains;
using NodeDb.Orleans.Grains.History;
using NodeDb.Orleans.Grains.Schedules;
using NodeDb.Orleans.Tests.Cluster;
using NodeDb.Orleans.Tests.Firing;
using Orleans.Storage;

namespace NodeDb.Orleans.Tests.History;

/// <summary>
/// While history is down, the outbox in a schedule's state stays under <c>OutboxCap</c> (it spills to chunk grains),
/// and once history is back every occurrence is in history exactly once: rows for the newest, per-status summary
/// rows, with their counts, for what lies beyond what history keeps.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class OutboxBoundTests
{
    private const int Cap = 4;
    private const int Keep = 10;
    private const int OutageSeconds = 40;

    [Fact]
    public async Task While_history_is_down_the_state_stays_under_the_cap_and_afterwards_every_occurrence_is_in_history_once()
    {
        var directory = Directory.CreateTempSubdirectory("nodedb-outbox-");
        var store = new UnavailableHistoryStore(new SqliteHistoryStore(Path.Combine(directory.FullName, "history.db")));
        await using var cluster = await SchedulerCluster.StartAsync(
            silos: 1,
            configure: o =>
            {
                o.OutboxCap = Cap;
                o.HistoryKeepPerSchedule = Keep;
            },
            historyStore: store);
        var grain = cluster.Schedule("ob", "every-second");
        await cluster.CreateAsync("ob", "every-second", "* * * * * *");
        await cluster.AdvanceAsync(TimeSpan.Zero);
        var first = (await grain.GetStatusAsync())!.LastFired!.Value;

        store.Down = true;
        var largest = 0;
        for (var i = 0; i < OutageSeconds; i++)
        {
            await cluster.AdvanceAsync(TimeSpan.FromSeconds(1));
            var stored = await StoredAsync(cluster, grain);
            largest = Math.Max(largest, stored.Outbox.Count);
            Assert.True(stored.Spill is null || stored.Spill.Next - stored.Spill.First <= (Keep + Cap - 1) / Cap, "chunks beyond what history keeps are folded");
        }

        Assert.True(store.FailedAppends >= OutageSeconds, $"history was down for the whole outage ({store.FailedAppends} failed appends)");
        Assert.InRange(largest, 1, Cap + 1); // one claim's rows over the cap at most, before it spills

        store.Down = false;
        await cluster.AdvanceAsync(TimeSpan.FromSeconds(1));
        var last = (await grain.GetStatusAsync())!.LastFired!.Value;
        // The spill is drained (rows the outbox appended are removed from the stored state at its next write).
        Assert.True((await StoredAsync(cluster, grain)).Spill is null or { IsEmpty: true });

        var rows = await cluster.HistoryAsync("ob", "every-second");
        Assert.Equal(rows.Count, rows.Select(r => r.RunId).Distinct().Count());
        var folded = Assert.Single(rows, r => r.Reason?.StartsWith("folded:", StringComparison.Ordinal) == true);
        Assert.Equal(RunStatus.Succeeded, folded.Status);

        // Every occurrence from the first to the last, each counted once: one row each, or inside the folded range.
        var expected = (int)(last - first).TotalSeconds + 1;
        Assert.Equal(OutageSeconds + 2, expected);
        Assert.Equal(expected, rows.Sum(r => r.Count));
        var covered = rows.SelectMany(r => Enumerable.Range(0, r.Count).Select(i => (r.CoversFrom ?? r.ScheduledAt!.Value).AddSeconds(i))).Order().ToList();
        Assert.Equal(Enumerable.Range(0, expected).Select(i => first.AddSeconds(i)), covered);
        Assert.True(rows.Count(r => r.Count == 1) >= Keep, "at least the newest rows history keeps are individual rows");
        directory.Delete(recursive: true);
    }

    [Fact]
    public async Task Rows_a_schedule_could_not_append_reach_history_soon_after_it_is_back_even_if_the_schedule_never_fires_again()
    {
        var directory = Directory.CreateTempSubdirectory("nodedb-outbox-");
        var store = new UnavailableHistoryStore(new SqliteHistoryStore(Path.Combine(directory.FullName, "history.db")));
        await using var cluster = await SchedulerCluster.StartAsync(silos: 1, historyStore: store);
        var grain = cluster.Schedule("ob", "then-disabled");
        await cluster.CreateAsync("ob", "then-disabled", "* * * * * *");

        // Two runs whose rows cannot be appended, then the schedule is disabled: nothing will fire it again.
        store.Down = true;
        await cluster.AdvanceAsync(TimeSpan.FromSeconds(1));
        await cluster.AdvanceAsync(TimeSpan.FromSeconds(1));
        await grain.SetEnabledAsync(false);
        await cluster.DrainAsync();
        Assert.NotEmpty((await StoredAsync(cluster, grain)).Outbox);

        Assert.Empty(await cluster.HistoryAsync("ob", "then-disabled"));

        // History is back. Only the clock moves: no call reaches the schedule, yet its rows are appended within seconds.
        store.Down = false;
        var rows = await cluster.HistoryAsync("ob", "then-disabled");
        for (var i = 0; i < 10 && rows.Count(r => r.Status == RunStatus.Succeeded) < 2; i++)
        {
            await cluster.AdvanceAsync(TimeSpan.FromSeconds(1));
            rows = await cluster.HistoryAsync("ob", "then-disabled");
        }

        Assert.True(rows.Count(r => r.Status == RunStatus.Succeeded) >= 2, string.Join("; ", rows.Select(r => $"{r.RunId} {r.Status}")));
        directory.Delete(recursive: true);
    }

    private static async Task<ScheduleState> StoredAsync(SchedulerCluster cluster, IScheduleGrain grain)
    {
        var storage = cluster.SiloServices.Single().GetRequiredKeyedService<IGrainStorage>(StorageNames.Schedules);
        var stored = new GrainState<ScheduleState>();
        await storage.ReadStateAsync("schedule", grain.GetGrainId(), stored);
        return stored.State!;
    }
}
