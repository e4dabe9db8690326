using Microsoft.Extensions.DependencyInjection;
using NodeDb.Orleans.Grains;
using NodeDb.Orleans.Grains.Running;
using NodeDb.Orleans.Tests.Cluster;

namespace NodeDb.Orleans.Tests.Firing;

/// <summary>
/// The grain–dispatcher protocol where it meets failures: a SCOPE LOCAL run orphaned by a dead silo runs once more, not
/// once per survivor; a completion lost on its way from a live silo is collected from that silo, not waited for forever.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class RecoveryProtocolTests
{
    [Fact]
    public async Task A_scope_local_run_orphaned_by_a_dead_silo_runs_once_more_under_its_own_id()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 3, storage: SchedulerCluster.SqliteStorage);
        await cluster.CreateAsync("t1", "everywhere", "* * * * *", d => d with { Scope = ScheduleScope.Local });
        cluster.Scripted.Hold("everywhere");
        await cluster.TickAsync();
        await Until.TrueAsync(() => Task.FromResult(cluster.Scripted.Requests.Count == 3));
        var original = cluster.Scripted.Requests.Select(r => r.RunId).Order(StringComparer.Ordinal).ToList();

        var victim = cluster.Cluster.Silos[^1];
        var victimRun = Assert.Single(original, id => id.EndsWith("@" + victim.SiloAddress.ToParsableString(), StringComparison.Ordinal));
        await cluster.Cluster.KillSiloAsync(victim, TestContext.Current.CancellationToken);
        await cluster.Cluster.WaitForLivenessToStabilizeAsync();
        await Until.TrueAsync(() => Task.FromResult(cluster.Cluster.Silos.All(s => cluster.Cluster.GetSiloServiceProvider(s.SiloAddress)
            .GetRequiredService<IClusterMembershipService>().CurrentSnapshot.GetSiloStatus(victim.SiloAddress) == SiloStatus.Dead)), TimeSpan.FromSeconds(30));

        await cluster.Schedule("t1", "everywhere").GetStatusAsync(); // settles the dead silo's run (if the watchers have not)
        await Until.TrueAsync(() => Task.FromResult(cluster.Scripted.Requests.Count >= 4));
        cluster.Scripted.Release("everywhere");
        await cluster.DrainAsync();

        // One more run, for the dead silo's share, under that share's id: one effect per silo per occurrence.
        var requests = cluster.Scripted.Requests.Select(r => r.RunId).ToList();
        Assert.Equal(4, requests.Count);
        Assert.Equal(2, requests.Count(id => id == victimRun));
        Assert.Equal(original, requests.Distinct().Order(StringComparer.Ordinal).ToList());
        var history = await cluster.HistoryAsync("t1", "everywhere");
        Assert.Equal(original, history.Select(r => r.RunId).Order(StringComparer.Ordinal).ToList());
        Assert.All(history, r => Assert.Equal(RunStatus.Succeeded, r.Status));
    }

    [Fact]
    public async Task A_completion_lost_on_its_way_from_a_live_silo_is_collected_from_that_silo_and_later_runs_are_not_skipped()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 2, storage: (silo, _) =>
        {
            silo.AddMemoryGrainStorage(StorageNames.Schedules);
            silo.UseInMemoryReminderService();
            silo.AddIncomingGrainCallFilter<CompletionDropper>();
        });
        await cluster.CreateAsync("t1", "local", "* * * * *", d => d with { Scope = ScheduleScope.Local, Overlap = OverlapPolicy.Skip });
        CompletionDropper.Reset();
        CompletionDropper.Dropping = true;
        try
        {
            await cluster.TickAsync(); // 12:00 on both silos; neither completion reaches the grain
            await Until.TrueAsync(() => Task.FromResult(CompletionDropper.Dropped >= 10), TimeSpan.FromSeconds(30)); // 5 tries each: both parked
        }
        finally
        {
            CompletionDropper.Dropping = false;
        }

        Assert.Equal(2, (await cluster.Schedule("t1", "local").GetStatusAsync())!.InFlight.Length);

        // A minute on: the grain asks each silo where its run stands, settles both with their parked completions, and
        // runs 12:01 rather than skipping it for a run that ended long ago.
        await cluster.AdvanceAsync(TimeSpan.FromMinutes(1));
        await cluster.DrainAsync();

        var history = await cluster.HistoryAsync("t1", "local");
        Assert.Equal(4, history.Count);
        Assert.All(history, r => Assert.Equal(RunStatus.Succeeded, r.Status));
        Assert.Equal(2, history.Count(r => r.ScheduledAt!.Value.Minute == 1));
        Assert.Empty((await cluster.Schedule("t1", "local").GetStatusAsync())!.InFlight);
    }

    [Fact]
    public async Task A_dispatch_to_another_silo_whose_answer_is_lost_is_not_recorded_rejected_but_settled_by_its_completion()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 2, storage: (silo, _) =>
        {
            silo.AddMemoryGrainStorage(StorageNames.Schedules);
            silo.UseInMemoryReminderService();
            silo.AddIncomingGrainCallFilter<LostStartAnswer>();
        });
        await cluster.CreateAsync("t1", "local", "* * * * *", d => d with { Scope = ScheduleScope.Local });

        await cluster.AdvanceAsync(TimeSpan.Zero); // the remote start runs, but its caller sees a timeout

        var history = await cluster.HistoryAsync("t1", "local");
        Assert.True(LostStartAnswer.Lost >= 1);
        Assert.Equal(2, history.Count);
        Assert.All(history, r => Assert.Equal(RunStatus.Succeeded, r.Status));
        Assert.Equal(2, cluster.Scripted.Requests.Count);
        Assert.Empty((await cluster.Schedule("t1", "local").GetStatusAsync())!.InFlight);
    }

    [Fact]
    public async Task A_manual_trigger_of_a_scope_local_schedule_returns_an_id_that_history_shows()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 2);
        await cluster.CreateAsync("t1", "local", "0 0 1 1 *", d => d with { Scope = ScheduleScope.Local });

        var id = await cluster.Schedule("t1", "local").TriggerAsync("ops");
        await cluster.DrainAsync();

        var history = await cluster.HistoryAsync("t1", "local");
        Assert.Equal(2, history.Count);
        Assert.Contains(history, r => r.RunId == id && r.Trigger == RunTrigger.Manual && r.Status == RunStatus.Succeeded);
    }

    /// <summary>Lets a start on a silo runner through, then fails the call, as a reply lost to a timeout would.</summary>
    private sealed class LostStartAnswer : IIncomingGrainCallFilter
    {
        private static int _lost;

        public static int Lost => Volatile.Read(ref _lost);

        public async Task Invoke(IIncomingGrainCallContext context)
        {
            await context.Invoke();
            if (context.InterfaceMethod?.Name == "StartAsync" && context.InterfaceMethod.DeclaringType?.Name == "ISiloRunnerGrain")
            {
                Interlocked.Increment(ref _lost);
                throw new TimeoutException("the answer was lost (test)");
            }
        }
    }

    /// <summary>Fails every completion call while <see cref="Dropping"/> is set, as a network partition would.</summary>
    private sealed class CompletionDropper : IIncomingGrainCallFilter
    {
        private static int _dropped;

        public static volatile bool Dropping;

        public static int Dropped => Volatile.Read(ref _dropped);

        public static void Reset() => Volatile.Write(ref _dropped, 0);

        public Task Invoke(IIncomingGrainCallContext context)
        {
            if (Dropping && context.InterfaceMethod?.Name == "CompleteRunAsync")
            {
                Interlocked.Increment(ref _dropped);
                throw new TimeoutException("dropped by the test");
            }

            return context.Invoke();
        }
    }
}
