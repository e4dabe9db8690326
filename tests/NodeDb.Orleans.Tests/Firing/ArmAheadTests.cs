using NodeDb.Orleans.Security;
using NodeDb.Orleans.Tests.Security;
using Microsoft.Extensions.DependencyInjection;
using NodeDb.Orleans.Grains.Running;
using NodeDb.Orleans.Tests.Cluster;

namespace NodeDb.Orleans.Tests.Firing;

/// <summary>
/// ArmAhead: a schedule is poked before its instant, claims the occurrence then, and the dispatcher starts it at the
/// instant, neither before nor after, and exactly once. The fake clock shows both sides of the instant.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ArmAheadTests
{
    private static readonly TimeSpan Ahead = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task An_armed_occurrence_is_claimed_a_second_ahead_and_starts_at_its_instant()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 1, configure: o => o.ArmAhead = Ahead);
        var hour = new DateTimeOffset(2026, 1, 5, 13, 0, 0, TimeSpan.Zero);
        await cluster.CreateAsync("t1", "hourly", "0 * * * *");

        cluster.Time.Advance(hour - cluster.Time.GetUtcNow() - TimeSpan.FromSeconds(1)); // 12:59:59
        Assert.Equal(1, await cluster.TickAsync());
        var status = await cluster.Schedule("t1", "hourly").GetStatusAsync();
        Assert.Equal(hour, status!.LastFired);
        Assert.Equal(hour, status.NextRun); // armed, not yet run: still the next run
        var armed = Assert.Single(status.InFlight);
        Assert.Equal(hour, armed.ScheduledAt);
        Assert.Empty(cluster.Scripted.RequestsOf("t1", "hourly"));

        cluster.Time.Advance(TimeSpan.FromMilliseconds(999));
        await Task.Yield();
        Assert.Empty(cluster.Scripted.RequestsOf("t1", "hourly"));

        cluster.Time.Advance(TimeSpan.FromMilliseconds(1));
        await cluster.Scripted.WhenStartedAsync("hourly");
        await cluster.DrainAsync();
        var row = Assert.Single(await cluster.HistoryAsync("t1", "hourly"));
        Assert.Equal(RunStatus.Succeeded, row.Status);
        Assert.Equal(hour, row.ScheduledAt);
        Assert.Equal(hour, row.StartedAt);
    }

    [Fact]
    public async Task Every_second_under_arming_fires_each_occurrence_once_and_on_its_instant()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 2, configure: o => o.ArmAhead = Ahead);
        await cluster.CreateAsync("t1", "s", "* * * * * *");
        var first = cluster.Time.GetUtcNow();

        for (var i = 0; i <= 10; i++)
        {
            await cluster.TickAsync();
            // Each tick claims the next second's occurrence before it comes (the first tick also fires its own).
            Assert.Equal(first.AddSeconds(i + 1), (await cluster.Schedule("t1", "s").GetStatusAsync())!.LastFired);
            cluster.Time.Advance(TimeSpan.FromSeconds(1));
        }

        await UntilAsync(async () => (await cluster.HistoryAsync("t1", "s")).Count >= 12);
        var rows = await cluster.HistoryAsync("t1", "s");
        Assert.Equal(Enumerable.Range(0, 12).Select(i => first.AddSeconds(i)), rows.Select(r => r.ScheduledAt!.Value).Order());
        Assert.All(rows, r => Assert.Equal(RunStatus.Succeeded, r.Status));
        Assert.All(rows, r => Assert.Equal(r.ScheduledAt, r.StartedAt));
    }

    [Fact]
    public async Task An_armed_run_that_meets_a_full_cap_at_its_instant_waits_and_is_rejected_only_after_the_grace_period()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 1, configure: o =>
        {
            o.ArmAhead = Ahead;
            o.MaxConcurrentJobs = 1;
        });
        cluster.Scripted.Hold("busy");
        await cluster.CreateAsync("t1", "busy", "* * * * *");
        await cluster.TickAsync(); // fires its current minute, whose run holds the only slot
        await cluster.Scripted.WhenStartedAsync("busy");

        var next = new DateTimeOffset(2026, 1, 5, 12, 1, 0, TimeSpan.Zero);
        await cluster.CreateAsync("t1", "hourly", "1 12 * * *");
        cluster.Time.Advance(next - cluster.Time.GetUtcNow() - TimeSpan.FromMilliseconds(500));
        await cluster.TickAsync(); // arms 12:01 for both; the cap of 1 is taken by the held run
        cluster.Time.Advance(TimeSpan.FromMilliseconds(500)); // its instant: no slot, so it waits in the queue
        var dispatcher = cluster.SiloServices.Single().GetRequiredService<JobDispatcher>();
        await UntilAsync(() => Task.FromResult(dispatcher.QueueLength == 1));
        Assert.Empty(await cluster.HistoryAsync("t1", "hourly"));

        cluster.Time.Advance(TimeSpan.FromSeconds(5)); // the grace period is over
        await UntilAsync(async () => (await cluster.HistoryAsync("t1", "hourly")).Count > 0);
        var row = Assert.Single(await cluster.HistoryAsync("t1", "hourly"));
        Assert.Equal(RunStatus.Rejected, row.Status);
        Assert.Null(row.StartedAt);
        Assert.Contains("cap", row.Reason, StringComparison.Ordinal);
        Assert.Contains("waited 5000 ms", row.Reason, StringComparison.Ordinal);
        cluster.Scripted.Release("busy");
    }

    [Fact]
    public async Task Dropping_a_schedule_cancels_its_armed_run_before_it_starts()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 1, configure: o => o.ArmAhead = Ahead);
        var hour = new DateTimeOffset(2026, 1, 5, 13, 0, 0, TimeSpan.Zero);
        await cluster.CreateAsync("t1", "hourly", "0 * * * *");
        cluster.Time.Advance(hour - cluster.Time.GetUtcNow() - TimeSpan.FromMilliseconds(500));
        await cluster.TickAsync();
        var dispatcher = cluster.SiloServices.First().GetRequiredService<JobDispatcher>();
        var armed = Assert.Single((await cluster.Schedule("t1", "hourly").GetStatusAsync())!.InFlight);
        Assert.Equal(RunPhase.Held, dispatcher.Find(new RunKey(ScheduleKey.Of("t1", "hourly"), armed.RunId), armed.Dispatch)?.Phase);

        Assert.True(await cluster.Schedule("t1", "hourly").DropAsync());
        await dispatcher.WhenIdleAsync(TestContext.Current.CancellationToken);
        cluster.Time.Advance(TimeSpan.FromSeconds(1));
        await cluster.TickAsync();
        Assert.Empty(cluster.Scripted.RequestsOf("t1", "hourly"));
    }

    [Fact]
    public async Task Pausing_before_the_instant_cancels_the_armed_run_with_the_reason()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 1, configure: o => o.ArmAhead = Ahead);
        var hour = new DateTimeOffset(2026, 1, 5, 13, 0, 0, TimeSpan.Zero);
        await cluster.CreateAsync("t1", "hourly", "0 * * * *");
        cluster.Time.Advance(hour - cluster.Time.GetUtcNow() - TimeSpan.FromMilliseconds(500));
        await cluster.TickAsync();
        Assert.Single((await cluster.Schedule("t1", "hourly").GetStatusAsync())!.InFlight);

        using (TestKeys.As(await cluster.KeyAsync("t1", "ops", ApiKeyRole.Operator)))
        {
            await cluster.Schedule("t1", "hourly").PauseAsync("ops", "maintenance");
        }

        await UntilAsync(async () => (await cluster.HistoryAsync("t1", "hourly")).Count > 0);
        cluster.Time.Advance(TimeSpan.FromSeconds(1));
        await cluster.TickAsync();

        var row = Assert.Single(await cluster.HistoryAsync("t1", "hourly"));
        Assert.Equal(RunStatus.Cancelled, row.Status);
        Assert.Equal(hour, row.ScheduledAt);
        Assert.Null(row.StartedAt);
        Assert.Contains("paused by ops", row.Reason, StringComparison.Ordinal);
        Assert.Empty(cluster.Scripted.RequestsOf("t1", "hourly"));
        Assert.Empty((await cluster.Schedule("t1", "hourly").GetStatusAsync())!.InFlight);
    }

    /// <summary>The rejection travels as a completion off the grain's turn; nothing to await but its row.</summary>
    private static async Task UntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 500 && !await condition(); i++)
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }
}
