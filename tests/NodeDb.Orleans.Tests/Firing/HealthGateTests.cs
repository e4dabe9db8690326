using NodeDb.Orleans.Tests.Cluster;

namespace NodeDb.Orleans.Tests.Firing;

[Collection(ClusterCollection.Name)]
public sealed class HealthGateTests
{
    [Fact]
    public async Task Lagging_and_leaderless_groups_skip_with_their_reason_while_absent_and_stale_reports_fire()
    {
        await using var cluster = await SchedulerCluster.StartAsync(
            silos: 1, configure: o =>
            {
                o.Routing = new() { ["0-1023"] = "g1" };
                o.HealthStaleAfter = TimeSpan.FromSeconds(90);
            });
        await cluster.CreateAsync("t1", "gated", "* * * * *", d => d with { Target = "orders" });
        var group = cluster.Client.GetGrain<IRaftHealthGrain>("g1");

        // No report at all: NodeDB's fail-open.
        await cluster.AdvanceAsync(TimeSpan.Zero);

        await group.ReportAsync(new RaftStatusReport { LeaderId = "n1", CommitIndex = 10, LastApplied = 7 });
        await cluster.AdvanceAsync(TimeSpan.FromMinutes(1));

        await group.ReportAsync(new RaftStatusReport { LeaderId = null, CommitIndex = 10, LastApplied = 10 });
        await cluster.AdvanceAsync(TimeSpan.FromMinutes(1));

        // The leaderless report is now 120 s old, past the 90 s staleness limit: fires again.
        await cluster.AdvanceAsync(TimeSpan.FromMinutes(1));

        await group.ReportAsync(new RaftStatusReport { LeaderId = "n2", CommitIndex = 12, LastApplied = 12 });
        await cluster.AdvanceAsync(TimeSpan.FromMinutes(1));

        var history = (await cluster.HistoryAsync("t1", "gated")).OrderBy(r => r.ScheduledAt).ToList();
        Assert.Equal(
            [RunStatus.Succeeded, RunStatus.Skipped, RunStatus.Skipped, RunStatus.Succeeded, RunStatus.Succeeded],
            history.Select(r => r.Status).ToList());
        Assert.Equal("group g1 is lagging (commitIndex 10 > lastApplied 7)", history[1].Reason);
        Assert.Equal("group g1 has no known leader", history[2].Reason);
    }

    [Fact]
    public async Task Fail_closed_skips_when_no_report_is_known()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 1, configure: o => o.HealthFailClosed = true);
        await cluster.CreateAsync("t1", "strict", "* * * * *");
        await cluster.AdvanceAsync(TimeSpan.Zero);

        var row = Assert.Single(await cluster.HistoryAsync("t1", "strict"));
        Assert.Equal(RunStatus.Skipped, row.Status);
        Assert.Equal("no health report for group 0", row.Reason);
        Assert.Empty(cluster.Scripted.Requests);
    }

    [Fact]
    public async Task Scope_local_schedules_skip_the_health_gate()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 1, configure: o => o.HealthFailClosed = true);
        await cluster.CreateAsync("t1", "local", "* * * * *", d => d with { Scope = ScheduleScope.Local });
        await cluster.AdvanceAsync(TimeSpan.Zero);

        Assert.Equal(RunStatus.Succeeded, Assert.Single(await cluster.HistoryAsync("t1", "local")).Status);
    }
}
