using Microsoft.Extensions.DependencyInjection;
using NodeDb.Orleans.Grains.Running;
using NodeDb.Orleans.Tests.Cluster;

namespace NodeDb.Orleans.Tests.Firing;

/// <summary>
/// The cap bounds running bodies, not arrivals: a run that finds every slot busy waits in the silo's fair queue and
/// starts when a slot frees; it is Rejected only when it cannot start within the grace period of its instant.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class RunQueueTests
{
    [Fact]
    public async Task A_run_that_finds_the_cap_full_waits_and_starts_when_a_slot_frees()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 1, configure: o => o.MaxConcurrentJobs = 1);
        var dispatcher = cluster.SiloServices.Single().GetRequiredService<JobDispatcher>();
        await cluster.CreateAsync("t1", "hog", "* * * * *");
        cluster.Scripted.Hold("hog");
        await cluster.TickAsync(); // 12:00 takes the only slot
        await cluster.Scripted.WhenStartedAsync("hog");
        cluster.Time.Advance(TimeSpan.FromMinutes(1));
        await cluster.TickAsync(); // 12:01: ALLOW overlap, but the silo is at its cap: it waits
        Assert.Equal(1, dispatcher.QueueLength);
        Assert.Single(cluster.Scripted.RequestsOf("t1", "hog"));

        cluster.Time.Advance(TimeSpan.FromSeconds(2)); // still within the 5 s grace
        cluster.Scripted.Release("hog");
        await cluster.DrainAsync();

        var history = await cluster.HistoryAsync("t1", "hog");
        Assert.Equal(2, history.Count);
        Assert.All(history, r => Assert.Equal(RunStatus.Succeeded, r.Status));
        var queued = Assert.Single(history, r => r.ScheduledAt!.Value.Minute == 1);
        Assert.Equal(cluster.Time.GetUtcNow(), queued.StartedAt);
        Assert.Contains("waited 2000 ms", queued.Reason, StringComparison.Ordinal);
        Assert.Equal(0, dispatcher.QueueLength);
    }

    [Fact]
    public async Task A_queued_run_that_cannot_start_within_the_grace_period_is_rejected_saying_how_long_it_waited()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 1, configure: o =>
        {
            o.MaxConcurrentJobs = 1;
            o.Grace = TimeSpan.FromSeconds(5);
        });
        await cluster.CreateAsync("t1", "hog", "* * * * *");
        cluster.Scripted.Hold("hog");
        await cluster.TickAsync();
        await cluster.Scripted.WhenStartedAsync("hog");
        cluster.Time.Advance(TimeSpan.FromMinutes(1));
        await cluster.TickAsync(); // queued at 12:01:30 (the tick's instant), 30 s after its occurrence: grace from now
        cluster.Time.Advance(TimeSpan.FromSeconds(4));
        Assert.Empty(await cluster.HistoryAsync("t1", "hog", RunStatus.Rejected));

        cluster.Time.Advance(TimeSpan.FromSeconds(1)); // the deadline: 5 s after it queued
        await Until.TrueAsync(async () => (await cluster.HistoryAsync("t1", "hog", RunStatus.Rejected)).Count == 1);
        var rejected = Assert.Single(await cluster.HistoryAsync("t1", "hog", RunStatus.Rejected));
        Assert.Equal(1, rejected.ScheduledAt!.Value.Minute);
        Assert.Null(rejected.StartedAt);
        Assert.Contains("waited 5000 ms for a slot", rejected.Reason, StringComparison.Ordinal);
        Assert.Contains("MaxConcurrentJobs", rejected.Reason, StringComparison.Ordinal);

        cluster.Scripted.Release("hog");
        await cluster.DrainAsync();
        Assert.Single(cluster.Scripted.RequestsOf("t1", "hog")); // the rejected run never reached the runner
    }

    [Fact]
    public async Task A_tenant_at_its_share_waits_while_another_tenant_takes_the_free_slots()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 1, configure: o =>
        {
            o.MaxConcurrentJobs = 4;
            o.MaxConcurrentRunsPerTenant = 2;
        });
        var dispatcher = cluster.SiloServices.Single().GetRequiredService<JobDispatcher>();
        foreach (var i in Enumerable.Range(0, 3))
        {
            cluster.Scripted.Hold($"long{i}");
            await cluster.CreateAsync("greedy", $"long{i}", "* * * * *");
        }

        await cluster.CreateAsync("polite", "short", "* * * * *");
        await cluster.TickAsync();
        await Until.TrueAsync(async () => (await cluster.HistoryAsync("polite", "short")).Count == 1);

        // greedy holds its share of 2 running bodies; its third run waits although 2 of the 4 slots are free.
        Assert.Equal(2, cluster.Scripted.Requests.Count(r => r.Tenant == "greedy"));
        Assert.Equal(2, dispatcher.InFlight);
        Assert.Equal(1, dispatcher.QueueLength);
        Assert.Equal(RunStatus.Succeeded, Assert.Single(await cluster.HistoryAsync("polite", "short")).Status);

        foreach (var i in Enumerable.Range(0, 3))
        {
            cluster.Scripted.Release($"long{i}");
        }

        await cluster.DrainAsync();
        Assert.Equal(3, cluster.Scripted.Requests.Count(r => r.Tenant == "greedy"));
        var greedy = await cluster.History("greedy").QueryAsync(new HistoryQuery { Limit = 100 });
        Assert.Equal(3, greedy.Count(r => r.Status == RunStatus.Succeeded));
    }

    [Fact]
    public async Task Withdrawing_before_the_instant_never_touches_a_run_whose_instant_has_come()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 1, configure: o => o.MaxConcurrentJobs = 1);
        var dispatcher = cluster.SiloServices.Single().GetRequiredService<JobDispatcher>();
        await cluster.CreateAsync("t1", "job", "* * * * *");
        cluster.Scripted.Hold("job");
        await cluster.TickAsync(); // 12:00 runs and holds the only slot
        await cluster.Scripted.WhenStartedAsync("job");
        cluster.Time.Advance(TimeSpan.FromMinutes(1));
        await cluster.TickAsync(); // 12:01 waits in the queue
        var inFlight = (await cluster.Schedule("t1", "job").GetStatusAsync())!.InFlight.OrderBy(r => r.ScheduledAt).ToList();
        var (running, queued) = (inFlight[0], inFlight[1]);

        // A pause or a disable arriving now (late, under load) withdraws only what is still waiting for its instant:
        // both instants have come, so both occurrences stand, the queued one included.
        Assert.False(dispatcher.Cancel(new RunKey(ScheduleKey.Of("t1", "job"), running.RunId), "disabled before its instant", onlyBeforeStart: true));
        Assert.False(dispatcher.Cancel(new RunKey(ScheduleKey.Of("t1", "job"), queued.RunId), "disabled before its instant", onlyBeforeStart: true));
        cluster.Scripted.Release("job");
        await cluster.DrainAsync();

        var history = await cluster.HistoryAsync("t1", "job");
        Assert.Equal(RunStatus.Succeeded, Assert.Single(history, r => r.RunId == running.RunId).Status);
        Assert.Equal(RunStatus.Succeeded, Assert.Single(history, r => r.RunId == queued.RunId).Status);
        Assert.Equal(2, cluster.Scripted.Requests.Count);
    }

    [Fact]
    public async Task Schedules_with_the_same_name_in_different_tenants_each_run_once_per_occurrence()
    {
        // Run ids are unique within a tenant only: the dispatcher must tell t1/job from t2/job in the same second.
        await using var cluster = await SchedulerCluster.StartAsync(silos: 1);
        var tenants = Enumerable.Range(1, 5).Select(i => $"t{i}").ToList();
        foreach (var tenant in tenants)
        {
            await cluster.CreateAsync(tenant, "job", "* * * * *");
        }

        await cluster.AdvanceAsync(TimeSpan.Zero);
        await cluster.AdvanceAsync(TimeSpan.FromMinutes(1));
        await cluster.AdvanceAsync(TimeSpan.FromMinutes(1));

        foreach (var tenant in tenants)
        {
            Assert.Equal(3, cluster.Scripted.RequestsOf(tenant, "job").Count);
            var history = await cluster.HistoryAsync(tenant, "job");
            Assert.Equal(3, history.Count);
            Assert.All(history, r => Assert.Equal(RunStatus.Succeeded, r.Status));
            Assert.Empty((await cluster.Schedule(tenant, "job").GetStatusAsync())!.InFlight);
        }
    }
}
