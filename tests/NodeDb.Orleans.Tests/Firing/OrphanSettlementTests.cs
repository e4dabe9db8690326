using Microsoft.Extensions.DependencyInjection;
using NodeDb.Orleans.Grains.Running;
using NodeDb.Orleans.Tests.Cluster;

namespace NodeDb.Orleans.Tests.Firing;

/// <summary>A silo dies with a run in flight: the schedule settles the run from the tenant's run ledger.</summary>
[Collection(ClusterCollection.Name)]
public sealed class OrphanSettlementTests
{
    /// <param name="beforeKill">
    /// What happened before the silo died (the run committed, time passed). It must come before the kill: from the
    /// moment the survivors see the silo dead, their failover watchers may wake and settle the schedule themselves.
    /// </param>
    private static async Task<(SchedulerCluster Cluster, string RunId)> KillTheSiloRunningAsync(
        MissedPolicy missed, Action<SchedulerCluster, string>? beforeKill = null)
    {
        var cluster = await SchedulerCluster.StartAsync(silos: 3, storage: SchedulerCluster.SqliteStorage);
        await cluster.CreateAsync("t1", "orphan", "* * * * *", d => d with { Missed = missed });
        cluster.Scripted.Hold("orphan");
        await cluster.TickAsync(); // 12:00 starts and hangs on whichever silo holds the grain
        await cluster.Scripted.WhenStartedAsync("orphan");
        var runId = Assert.Single(cluster.Scripted.Requests).RunId;
        var busy = cluster.Cluster.Silos.Single(s =>
            cluster.Cluster.GetSiloServiceProvider(s.SiloAddress).GetRequiredService<JobDispatcher>().InFlight == 1);
        beforeKill?.Invoke(cluster, runId);
        await cluster.Cluster.KillSiloAsync(busy, TestContext.Current.CancellationToken);
        await cluster.Cluster.WaitForLivenessToStabilizeAsync();
        await UntilEverySurvivorSeesDeadAsync(cluster, busy.SiloAddress);
        return (cluster, runId);
    }

    /// <summary>Settlement asks the survivor's own membership view; until it says Dead the run counts as still running.</summary>
    private static async Task UntilEverySurvivorSeesDeadAsync(SchedulerCluster cluster, SiloAddress dead)
    {
        for (var i = 0; i < 600; i++)
        {
            if (cluster.Cluster.Silos.All(s => cluster.Cluster.GetSiloServiceProvider(s.SiloAddress)
                    .GetRequiredService<IClusterMembershipService>().CurrentSnapshot.GetSiloStatus(dead) == SiloStatus.Dead))
            {
                return;
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        Assert.Fail($"The survivors did not see {dead} dead within 30 s.");
    }

    [Fact]
    public async Task A_run_that_committed_before_its_silo_died_is_recorded_as_recovered_and_never_run_again()
    {
        // The body's transaction committed just before the kill.
        var (cluster, runId) = await KillTheSiloRunningAsync(MissedPolicy.Skip, (c, run) => c.Scripted.MarkCommitted(run));
        await using var _ = cluster;

        await cluster.Schedule("t1", "orphan").GetStatusAsync(); // re-activates the schedule on a survivor
        await cluster.DrainAsync();

        var row = Assert.Single(await cluster.HistoryAsync("t1", "orphan"));
        Assert.Equal((runId, RunStatus.Succeeded), (row.RunId, row.Status));
        Assert.StartsWith("recovered", row.Reason);
        Assert.Single(cluster.Scripted.Requests);
    }

    [Fact]
    public async Task A_current_run_that_never_committed_runs_again_with_the_same_id()
    {
        var (cluster, runId) = await KillTheSiloRunningAsync(MissedPolicy.Skip);
        await using var _ = cluster;

        // Settle first (if the failover watcher has not already), then release the re-run, which the gate holds too.
        await cluster.Schedule("t1", "orphan").GetStatusAsync();
        cluster.Scripted.Release("orphan");
        await cluster.DrainAsync();

        Assert.Equal([runId, runId], cluster.Scripted.Requests.Select(r => r.RunId).ToList());
        var row = Assert.Single(await cluster.HistoryAsync("t1", "orphan"));
        Assert.Equal(RunStatus.Succeeded, row.Status);
    }

    /// <summary>The silo dies ten minutes into the run, so whoever settles it finds it old.</summary>
    private static void TenMinutesLater(SchedulerCluster cluster, string runId) => cluster.Time.Advance(TimeSpan.FromMinutes(10));

    [Fact]
    public async Task An_old_run_that_never_committed_is_interrupted_under_skip_and_rerun_under_catch_up()
    {
        var (skip, skipRun) = await KillTheSiloRunningAsync(MissedPolicy.Skip, TenMinutesLater);
        await using (skip)
        {
            await skip.Schedule("t1", "orphan").GetStatusAsync();
            skip.Scripted.Release("orphan");
            await skip.DrainAsync();
            var row = Assert.Single(await skip.HistoryAsync("t1", "orphan"), r => r.RunId == skipRun);
            Assert.Equal(RunStatus.Interrupted, row.Status);
            Assert.Contains("MISSED = SKIP", row.Reason);
            Assert.Single(skip.Scripted.Requests, r => r.RunId == skipRun);
        }

        var (catchUp, catchUpRun) = await KillTheSiloRunningAsync(MissedPolicy.CatchUp, TenMinutesLater);
        await using (catchUp)
        {
            await catchUp.Schedule("t1", "orphan").GetStatusAsync();
            catchUp.Scripted.Release("orphan");
            await catchUp.DrainAsync();
            Assert.Equal(2, catchUp.Scripted.Requests.Count(r => r.RunId == catchUpRun));
            Assert.Equal(RunStatus.Succeeded, Assert.Single(await catchUp.HistoryAsync("t1", "orphan"), r => r.RunId == catchUpRun).Status);
        }
    }

    /// <remarks>
    /// Moved from SqliteEndToEndTests (issue 14): it holds the run with the scripted runner, so the ledger the survivor
    /// asks is the scripted runner's, not a tenant database. The real ledger's answers after a crash are tested in
    /// RunnerEngineTests (both engines) and, with a killed silo process, in EmbeddedKillRestartTests.
    /// </remarks>
    [Theory]
    [InlineData(0, RunStatus.Succeeded, null)]
    [InlineData(10, RunStatus.Interrupted, "stopped before the run committed; not run again (MISSED = SKIP)")]
    public async Task Stopping_a_silo_cancels_its_runs_and_a_survivor_settles_them(int minutesLater, RunStatus status, string? reason)
    {
        await using var cluster = await SchedulerCluster.StartAsync(
            silos: 2, configure: o => o.ShutdownDrain = TimeSpan.FromMilliseconds(200), storage: SchedulerCluster.SqliteStorage);
        await cluster.CreateAsync("t1", "long", "* * * * *");
        cluster.Scripted.Hold("long");
        await cluster.TickAsync();
        await cluster.Scripted.WhenStartedAsync("long");

        var busy = cluster.Cluster.Silos.Single(s =>
            cluster.Cluster.GetSiloServiceProvider(s.SiloAddress).GetRequiredService<JobDispatcher>().InFlight == 1);
        cluster.Time.Advance(TimeSpan.FromMinutes(minutesLater)); // before the stop: survivors may settle at once
        await cluster.Cluster.StopSiloAsync(busy, TestContext.Current.CancellationToken);
        await cluster.Cluster.WaitForLivenessToStabilizeAsync();
        cluster.Scripted.Release("long");

        // The schedule was handed to the survivor before the drain; its next look at the runs in flight there (the
        // recheck 10 s on, or the survivors' wake for the stopped silo) finds the run rolled back (absent from the
        // ledger): a current occurrence runs again; one that is now old is recorded as interrupted under MISSED = SKIP.
        cluster.Time.Advance(TimeSpan.FromSeconds(10));
        await cluster.TickAsync();
        await cluster.DrainAsync();

        var first = cluster.Scripted.Requests.First().RunId;
        var row = Assert.Single(await cluster.HistoryAsync("t1", "long"), r => r.RunId == first);
        Assert.Equal(status, row.Status);
        if (reason is not null)
        {
            Assert.Contains(reason, row.Reason);
        }

        // (The survivors' failover wake may already have started a later occurrence; only the settled run matters.)
        Assert.DoesNotContain((await cluster.Schedule("t1", "long").GetStatusAsync())!.InFlight, r => r.RunId == first);
    }
}
