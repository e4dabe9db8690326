using NodeDb.Orleans.Tests.Cluster;

namespace NodeDb.Orleans.Tests.Firing;

[Collection(ClusterCollection.Name)]
public sealed class MissedPolicyTests
{
    private static DateTimeOffset At(int minute) => new(2026, 1, 5, 12, minute, 0, TimeSpan.Zero);

    private static async Task<SchedulerCluster> AfterThirtyMinuteGapAsync(MissedPolicy policy)
    {
        var cluster = await SchedulerCluster.StartAsync(silos: 1);
        await cluster.CreateAsync("t1", "gap", "* * * * *", d => d with { Missed = policy });
        await cluster.AdvanceAsync(TimeSpan.Zero); // fires 12:00

        // Nothing observes the schedule for 30 minutes (a silo outage); the next observation is at 12:30:30.
        await cluster.AdvanceAsync(TimeSpan.FromMinutes(30));
        return cluster;
    }

    [Fact]
    public async Task Skip_runs_the_current_occurrence_and_records_each_missed_one()
    {
        await using var cluster = await AfterThirtyMinuteGapAsync(MissedPolicy.Skip);

        Assert.Equal([At(0), At(30)], cluster.Scripted.RequestsOf("t1", "gap").Select(r => r.ScheduledAt!.Value).ToList());
        var missed = await cluster.HistoryAsync("t1", "gap", RunStatus.Missed);
        Assert.Equal(Enumerable.Range(1, 29).Select(At).ToList(), missed.Select(r => r.ScheduledAt!.Value).Order().ToList());
        Assert.All(missed, r => Assert.Contains("MISSED = SKIP", r.Reason));
    }

    [Fact]
    public async Task Catch_up_runs_once_for_the_whole_missed_range_then_the_current_occurrence()
    {
        await using var cluster = await AfterThirtyMinuteGapAsync(MissedPolicy.CatchUp);

        var runs = cluster.Scripted.RequestsOf("t1", "gap");
        Assert.Equal([RunTrigger.Cron, RunTrigger.CatchUp, RunTrigger.Cron], runs.Select(r => r.Trigger).ToList());
        var history = await cluster.HistoryAsync("t1", "gap");
        var catchUp = Assert.Single(history, r => r.Trigger == RunTrigger.CatchUp);
        Assert.Equal((At(1), At(29), 29), (catchUp.CoversFrom!.Value, catchUp.ScheduledAt!.Value, catchUp.Count));
        Assert.Equal(RunStatus.Succeeded, catchUp.Status);
        Assert.DoesNotContain(history, r => r.Status == RunStatus.Missed);
    }

    [Fact]
    public async Task Queue_replays_each_missed_occurrence_in_order_up_to_the_cap()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 1);
        await cluster.CreateAsync("t1", "gap", "* * * * *", d => d with { Missed = MissedPolicy.Queue, QueueCap = 10 });
        await cluster.AdvanceAsync(TimeSpan.Zero);
        await cluster.AdvanceAsync(TimeSpan.FromMinutes(30));

        var ran = cluster.Scripted.RequestsOf("t1", "gap").Select(r => r.ScheduledAt!.Value).ToList();
        Assert.Equal([At(0), .. Enumerable.Range(20, 10).Select(At), At(30)], ran); // in order, one at a time
        var missed = await cluster.HistoryAsync("t1", "gap", RunStatus.Missed);
        Assert.Equal(Enumerable.Range(1, 19).Select(At).ToList(), missed.Select(r => r.ScheduledAt!.Value).Order().ToList());
        Assert.All(missed, r => Assert.Contains("queue cap of 10", r.Reason));
        Assert.Equal(12, (await cluster.HistoryAsync("t1", "gap", RunStatus.Succeeded)).Count);
    }

    [Fact]
    public async Task Missed_rows_beyond_the_cap_collapse_into_one_summary_row()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 1, configure: o => o.MissedRowCap = 5);
        await cluster.CreateAsync("t1", "gap", "* * * * *");
        await cluster.AdvanceAsync(TimeSpan.Zero);
        await cluster.AdvanceAsync(TimeSpan.FromMinutes(30));

        var missed = await cluster.HistoryAsync("t1", "gap", RunStatus.Missed);
        Assert.Equal(6, missed.Count);
        var summary = Assert.Single(missed, r => r.Count > 1);
        Assert.Equal((At(1), At(24), 24), (summary.CoversFrom!.Value, summary.ScheduledAt!.Value, summary.Count)); // the newest five keep their own rows
        Assert.Equal(29, missed.Sum(r => r.Count));
    }
}
