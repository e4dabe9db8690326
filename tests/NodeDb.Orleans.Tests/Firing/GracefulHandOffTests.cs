using Microsoft.Extensions.DependencyInjection;
using NodeDb.Orleans.Grains.Recovery;
using NodeDb.Orleans.Grains.Running;
using NodeDb.Orleans.Grains.Ticking;
using NodeDb.Orleans.Tests.Cluster;
using Orleans.Runtime.Placement;
using Orleans.TestingHost;

namespace NodeDb.Orleans.Tests.Firing;

/// <summary>
/// A silo stopped gracefully hands its schedules, and the runs it armed but has not started, to the silo that remains
/// before it stops firing: the armed run starts on the survivor at its instant, once, and never goes through the
/// failure path (no ledger probe, no Interrupted or Rejected row).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class GracefulHandOffTests
{
    private static readonly DateTimeOffset Hour = new(2026, 1, 5, 13, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task An_armed_run_moves_to_the_survivor_and_starts_there_at_its_instant()
    {
        // Armed 3 s ahead, beyond the keep window of 1 s: the run moves with its schedule.
        var names = Enumerable.Range(0, 6).Select(i => $"h{i}").ToList();
        await using var cluster = await StartArmedAsync(names, TimeSpan.FromSeconds(3)); // 12:59:57: each arms 13:00
        var (stopping, survivor) = BusiestFirst(cluster);
        var armedThere = Services(cluster, stopping).GetRequiredService<JobDispatcher>().Armed;
        Assert.True(armedThere > 0, "no schedule armed its run on the silo to be stopped");
        HandOffReport? report = null;
        Services(cluster, stopping).GetRequiredService<ShutdownHandOff>().Completed += r => report = r;

        await cluster.Cluster.StopSiloAsync(stopping, TestContext.Current.CancellationToken);

        // Before the instant, every armed run is held by the survivor: handed over, not left to be found later.
        Assert.NotNull(report);
        Assert.Equal(0, report.Failed);
        Assert.True(report.Moved >= armedThere, $"handed over {report.Moved} schedules, {armedThere} had armed runs there");
        var survivorServices = Services(cluster, survivor);
        Assert.Equal(names.Count, survivorServices.GetRequiredService<JobDispatcher>().Armed);
        Assert.Empty(cluster.Scripted.Requests);

        cluster.Time.Advance(TimeSpan.FromSeconds(3)); // 13:00:00
        await Until.TrueAsync(() => Task.FromResult(cluster.Scripted.Requests.Count == names.Count), TimeSpan.FromSeconds(20));
        await cluster.DrainAsync();
        var survivorName = survivor.SiloAddress.ToParsableString();
        foreach (var name in names)
        {
            var row = Assert.Single(await cluster.HistoryAsync("t1", name));
            Assert.Equal(RunStatus.Succeeded, row.Status);
            Assert.Equal(Hour, row.ScheduledAt);
            Assert.Equal(Hour, row.StartedAt); // on its instant: the hand-off cost it nothing
            Assert.Equal(survivorName, row.Silo);
            Assert.Single(cluster.Scripted.RequestsOf("t1", name));
        }

        // Nothing went through the failure path: no run had to be settled from the ledger.
        Assert.Empty(cluster.Scripted.Probes);
    }

    [Fact]
    public async Task A_run_armed_within_the_keep_window_starts_on_the_stopping_silo_at_its_instant()
    {
        // Moving a run costs a state write and an activation on the survivor; one due sooner than that would start late
        // there. Within Scheduler:ShutdownKeepWindow (1 s) it stays, starts here during the drain, and reports to its
        // schedule on the survivor.
        var names = Enumerable.Range(0, 6).Select(i => $"k{i}").ToList();
        await using var cluster = await StartArmedAsync(names, TimeSpan.FromMilliseconds(600)); // 12:59:59.4
        var (stopping, survivor) = BusiestFirst(cluster);
        var stoppingDispatcher = Services(cluster, stopping).GetRequiredService<JobDispatcher>();
        var keptThere = stoppingDispatcher.Armed;
        Assert.True(keptThere > 0, "no schedule armed its run on the silo to be stopped");
        var handOff = new TaskCompletionSource<HandOffReport>(TaskCreationOptions.RunContinuationsAsynchronously);
        Services(cluster, stopping).GetRequiredService<ShutdownHandOff>().Completed += r => handOff.TrySetResult(r);

        var stop = cluster.Cluster.StopSiloAsync(stopping, TestContext.Current.CancellationToken);
        var report = await handOff.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        // The schedules moved; their runs did not: still armed on the stopping silo, which is draining.
        Assert.Equal(0, report.Failed);
        Assert.Equal(keptThere, stoppingDispatcher.Armed);
        var survivorServices = Services(cluster, survivor);
        Assert.Equal(names.Count - keptThere, survivorServices.GetRequiredService<JobDispatcher>().Armed);
        Assert.Empty(cluster.Scripted.Requests);

        cluster.Time.Advance(TimeSpan.FromMilliseconds(600)); // 13:00:00
        await stop;
        await cluster.DrainAsync();
        var stoppingName = stopping.SiloAddress.ToParsableString();
        var ranThere = 0;
        foreach (var name in names)
        {
            var row = Assert.Single(await cluster.HistoryAsync("t1", name));
            Assert.Equal(RunStatus.Succeeded, row.Status);
            Assert.Equal(Hour, row.StartedAt); // on its instant
            ranThere += row.Silo == stoppingName ? 1 : 0;
            Assert.Single(cluster.Scripted.RequestsOf("t1", name));
            Assert.Empty((await cluster.Schedule("t1", name).GetStatusAsync())!.InFlight);
        }

        Assert.Equal(keptThere, ranThere);
        Assert.Empty(cluster.Scripted.Probes);
    }

    [Fact]
    public async Task A_run_already_running_finishes_on_the_stopping_silo_and_reports_to_the_moved_schedule()
    {
        await using var cluster = await SchedulerCluster.StartAsync(
            silos: 2, configure: o => o.ShutdownDrain = TimeSpan.FromSeconds(20), storage: SchedulerCluster.SqliteStorage);
        await cluster.CreateAsync("t1", "long", "* * * * *");
        cluster.Scripted.Hold("long");
        cluster.Time.Advance(TimeSpan.FromSeconds(30)); // 12:01:00
        await cluster.TickAsync();
        await cluster.Scripted.WhenStartedAsync("long");
        var running = cluster.Cluster.Silos.Single(s => Services(cluster, s).GetRequiredService<JobDispatcher>().InFlight == 1);
        var handOff = new TaskCompletionSource<HandOffReport>(TaskCreationOptions.RunContinuationsAsynchronously);
        Services(cluster, running).GetRequiredService<ShutdownHandOff>().Completed += r => handOff.TrySetResult(r);

        var stop = cluster.Cluster.StopSiloAsync(running, TestContext.Current.CancellationToken);
        var report = await handOff.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Equal(1, report.Moved);
        var survivor = cluster.Cluster.Silos.Single(s => !s.SiloAddress.Equals(running.SiloAddress));
        Assert.Contains(ScheduleKey.Of("t1", "long"), Services(cluster, survivor).GetRequiredService<DueIndex>().Keys());

        cluster.Scripted.Release("long"); // during the drain: the body ends on the stopping silo
        await stop;

        var row = Assert.Single(await cluster.HistoryAsync("t1", "long"));
        Assert.Equal(RunStatus.Succeeded, row.Status);
        Assert.Equal(running.SiloAddress.ToParsableString(), row.Silo);
        Assert.Single(cluster.Scripted.RequestsOf("t1", "long"));
        Assert.Empty((await cluster.Schedule("t1", "long").GetStatusAsync())!.InFlight);
        Assert.Empty(cluster.Scripted.Probes);
    }

    [Fact]
    public async Task A_schedule_activated_on_a_silo_already_handing_off_runs_on_the_survivor_instead()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 2, storage: SchedulerCluster.SqliteStorage);
        var (stopping, survivor) = (cluster.Cluster.Silos[0], cluster.Cluster.Silos[1]);
        var report = await Services(cluster, stopping).GetRequiredService<ShutdownHandOff>().HandOffAsync(TestContext.Current.CancellationToken);
        Assert.Equal(1, report.Survivors);

        // Placed on the stopping silo after its passes (a create through its gateway, a poke, a completion): the
        // schedule must not start a run there, where the dispatcher is about to stop, but take it along.
        RequestContext.Set(IPlacementDirector.PlacementHintKey, stopping.SiloAddress);
        await cluster.CreateAsync("t1", "late", "0 * * * *");
        RequestContext.Clear();
        Assert.Contains(ScheduleKey.Of("t1", "late"), Services(cluster, stopping).GetRequiredService<DueIndex>().Keys());
        var runId = await cluster.Schedule("t1", "late").TriggerAsync("tester");

        await Until.TrueAsync(() => Task.FromResult(cluster.Scripted.Requests.Any(r => r.RunId == runId)), TimeSpan.FromSeconds(20));
        await cluster.DrainAsync();
        await Until.TrueAsync(async () => (await cluster.HistoryAsync("t1", "late")).Any(r => r.RunId == runId));
        var row = Assert.Single(await cluster.HistoryAsync("t1", "late"), r => r.RunId == runId);
        Assert.Equal(RunStatus.Succeeded, row.Status);
        Assert.Equal(survivor.SiloAddress.ToParsableString(), row.Silo);
        Assert.Single(cluster.Scripted.Requests, r => r.RunId == runId);
        Assert.Empty(cluster.Scripted.Probes);
    }

    /// <summary>Two silos and hourly schedules in tenant t1, each armed for 13:00 by a tick <paramref name="before"/> it (ArmAhead 3 s).</summary>
    private static async Task<SchedulerCluster> StartArmedAsync(List<string> names, TimeSpan before)
    {
        var cluster = await SchedulerCluster.StartAsync(
            silos: 2, configure: o => o.ArmAhead = TimeSpan.FromSeconds(3), storage: SchedulerCluster.SqliteStorage);
        foreach (var name in names)
        {
            await cluster.CreateAsync("t1", name, "0 * * * *");
        }

        cluster.Time.Advance(Hour - cluster.Time.GetUtcNow() - before);
        await cluster.TickAsync();
        return cluster;
    }

    private static IServiceProvider Services(SchedulerCluster cluster, InProcessSiloHandle silo) =>
        cluster.Cluster.GetSiloServiceProvider(silo.SiloAddress);

    /// <summary>The silo with the most armed runs, and the other one.</summary>
    private static (InProcessSiloHandle Busiest, InProcessSiloHandle Other) BusiestFirst(SchedulerCluster cluster)
    {
        var ordered = cluster.Cluster.Silos
            .OrderByDescending(s => Services(cluster, s).GetRequiredService<JobDispatcher>().Armed)
            .ToList();
        return (ordered[0], ordered[1]);
    }
}
