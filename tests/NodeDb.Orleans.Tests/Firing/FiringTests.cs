using NodeDb.Orleans.Security;
using NodeDb.Orleans.Tests.Security;
using NodeDb.Orleans.Tests.Cluster;

namespace NodeDb.Orleans.Tests.Firing;

[Collection(ClusterCollection.Name)]
public sealed class FiringTests
{
    [Fact]
    public async Task Every_minute_schedule_fires_exactly_once_per_minute_over_ten_minutes_on_two_silos()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 2);
        var names = Enumerable.Range(0, 6).Select(i => $"job{i}").ToList();
        foreach (var name in names)
        {
            await cluster.CreateAsync("t1", name, "* * * * *");
        }

        // First observation at 12:00:30 fires the current unit (12:00), as NodeDB's seed contract says.
        await cluster.AdvanceAsync(TimeSpan.Zero);
        for (var i = 0; i < 20; i++)
        {
            await cluster.AdvanceAsync(TimeSpan.FromSeconds(30)); // two observations per minute: the second must fire nothing
        }

        var expected = Enumerable.Range(0, 11).Select(m => new DateTimeOffset(2026, 1, 5, 12, m, 0, TimeSpan.Zero)).ToList();
        foreach (var name in names)
        {
            var fired = cluster.Scripted.RequestsOf("t1", name).Select(r => r.ScheduledAt!.Value).Order().ToList();
            Assert.Equal(expected, fired);
            var history = await cluster.HistoryAsync("t1", name);
            Assert.Equal(11, history.Count(r => r.Status == RunStatus.Succeeded));
            Assert.Equal(11, history.Select(r => r.RunId).Distinct().Count());
        }
    }

    [Fact]
    public async Task Tick_service_pokes_only_the_due_grains()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 1);
        for (var i = 0; i < 1000; i++)
        {
            await cluster.CreateAsync("t1", $"s{i:D4}", i < 10 ? "* * * * *" : "0 0 1 1 *");
        }

        // A create with nothing to fire made the seed contract's first observation itself (issue 13: no poke and no
        // second state write per new schedule); only the ten whose current minute matches are due at once ...
        Assert.Equal(10, await cluster.AdvanceAsync(TimeSpan.Zero));
        var afterSeed = cluster.Scripted.Requests.Count;
        Assert.Equal(10, afterSeed);

        // ... after that only the ten every-minute schedules are due, and only they are called.
        Assert.Equal(0, await cluster.AdvanceAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(10, await cluster.AdvanceAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(10, cluster.Scripted.Requests.Count - afterSeed);
    }

    [Fact]
    public async Task A_create_makes_the_first_observation_so_an_occurrence_before_the_first_tick_is_recorded_not_passed_over()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 1);

        // 12:00:30, minute 1 of every hour: nothing falls in the create's own minute, so the create leaves the marker
        // there itself, durably with the schedule, and the schedule is not due before 12:01.
        var created = await cluster.CreateAsync("t1", "hourly", "1 * * * *");
        Assert.Equal(new DateTimeOffset(2026, 1, 5, 12, 0, 0, TimeSpan.Zero), created.LastFired);
        Assert.Equal(0, await cluster.AdvanceAsync(TimeSpan.Zero));

        // The loop's next tick comes only at 12:02:30 (a stalled silo): 12:01 happened after the create, so it is
        // accounted for (missed, recorded), where a first observation at 12:02:30 would have seen only its own minute.
        Assert.Equal(1, await cluster.AdvanceAsync(TimeSpan.FromMinutes(2)));
        var row = Assert.Single(await cluster.HistoryAsync("t1", "hourly"));
        Assert.Equal(RunStatus.Missed, row.Status);
        Assert.Equal(new DateTimeOffset(2026, 1, 5, 12, 1, 0, TimeSpan.Zero), row.ScheduledAt);
        Assert.Empty(cluster.Scripted.RequestsOf("t1", "hourly"));
    }

    [Fact]
    public async Task A_create_whose_current_unit_matches_leaves_the_first_observation_to_the_tick_which_fires_it()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 1);

        var created = await cluster.CreateAsync("t1", "minutely", "* * * * *");

        Assert.Null(created.LastFired);
        Assert.Equal(1, await cluster.AdvanceAsync(TimeSpan.Zero));
        Assert.Equal([new DateTimeOffset(2026, 1, 5, 12, 0, 0, TimeSpan.Zero)], cluster.Scripted.RequestsOf("t1", "minutely").Select(r => r.ScheduledAt!.Value));
    }

    [Fact]
    public async Task Overlap_skip_records_a_skip_while_a_run_is_in_flight()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 1);
        await cluster.CreateAsync("t1", "slow", "* * * * *", d => d with { Overlap = OverlapPolicy.Skip });
        cluster.Scripted.Hold("slow");
        await cluster.TickAsync(); // 12:00 starts and hangs
        await cluster.Scripted.WhenStartedAsync("slow");
        cluster.Time.Advance(TimeSpan.FromMinutes(1));
        await cluster.TickAsync(); // 12:01 finds 12:00 in flight

        var status = await cluster.Schedule("t1", "slow").GetStatusAsync();
        Assert.Single(status!.InFlight);
        cluster.Scripted.Release("slow");
        await cluster.DrainAsync();

        var history = await cluster.HistoryAsync("t1", "slow");
        var skipped = Assert.Single(history, r => r.Status == RunStatus.Skipped);
        Assert.Equal(new DateTimeOffset(2026, 1, 5, 12, 1, 0, TimeSpan.Zero), skipped.ScheduledAt);
        Assert.Contains("OVERLAP = SKIP", skipped.Reason);
        Assert.Single(history, r => r.Status == RunStatus.Succeeded);
        Assert.Single(cluster.Scripted.RequestsOf("t1", "slow"));
    }

    [Fact]
    public async Task Overlap_buffer_one_runs_the_buffered_occurrence_once_after_the_current_run()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 1);
        await cluster.CreateAsync("t1", "buf", "* * * * *", d => d with { Overlap = OverlapPolicy.BufferOne });
        cluster.Scripted.Hold("buf");
        await cluster.TickAsync(); // 12:00 runs and hangs
        await cluster.Scripted.WhenStartedAsync("buf");
        cluster.Time.Advance(TimeSpan.FromMinutes(1));
        await cluster.TickAsync(); // 12:01 is buffered
        cluster.Time.Advance(TimeSpan.FromMinutes(1));
        await cluster.TickAsync(); // 12:02 finds the buffer full: skipped
        Assert.Single(cluster.Scripted.RequestsOf("t1", "buf"));

        cluster.Scripted.Release("buf");
        await cluster.DrainAsync();

        var ran = cluster.Scripted.RequestsOf("t1", "buf").Select(r => r.ScheduledAt!.Value.Minute).ToList();
        Assert.Equal([0, 1], ran);
        var history = await cluster.HistoryAsync("t1", "buf");
        Assert.Equal(2, history.Count(r => r.Status == RunStatus.Succeeded));
        var skipped = Assert.Single(history, r => r.Status == RunStatus.Skipped);
        Assert.Equal(2, skipped.ScheduledAt!.Value.Minute);
    }

    [Fact]
    public async Task Overlap_cancel_previous_cancels_the_run_in_flight()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 1);
        await cluster.CreateAsync("t1", "cp", "* * * * *", d => d with { Overlap = OverlapPolicy.CancelPrevious });
        cluster.Scripted.Hold("cp");
        await cluster.TickAsync();
        await cluster.Scripted.WhenStartedAsync("cp");
        cluster.Time.Advance(TimeSpan.FromMinutes(1));
        await cluster.TickAsync();
        cluster.Scripted.Release("cp");
        await cluster.DrainAsync();

        var history = await cluster.HistoryAsync("t1", "cp");
        var cancelled = Assert.Single(history, r => r.Status == RunStatus.Cancelled);
        Assert.Equal(0, cancelled.ScheduledAt!.Value.Minute);
        Assert.Contains("CANCEL_PREVIOUS", cancelled.Reason);
        Assert.Equal(1, Assert.Single(history, r => r.Status == RunStatus.Succeeded).ScheduledAt!.Value.Minute);
    }

    [Fact]
    public async Task Scope_local_runs_once_per_silo_per_occurrence()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 2);
        await cluster.CreateAsync("t1", "everywhere", "* * * * *", d => d with { Scope = ScheduleScope.Local });
        await cluster.AdvanceAsync(TimeSpan.Zero);
        await cluster.AdvanceAsync(TimeSpan.FromMinutes(1));

        var history = await cluster.HistoryAsync("t1", "everywhere");
        var silos = cluster.Cluster.Silos.Select(s => s.SiloAddress.ToParsableString()).Order().ToList();
        foreach (var minute in new[] { 0, 1 })
        {
            var runs = history.Where(r => r.ScheduledAt!.Value.Minute == minute).ToList();
            Assert.All(runs, r => Assert.Equal(RunStatus.Succeeded, r.Status));
            Assert.Equal(silos, runs.Select(r => r.Silo!).Order().ToList());
        }
    }

    [Fact]
    public async Task Paused_schedule_records_skips_and_resumes()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 1);
        await cluster.CreateAsync("t1", "p", "* * * * *");
        await cluster.AdvanceAsync(TimeSpan.Zero);
        var alice = await cluster.KeyAsync("t1", "alice", ApiKeyRole.Operator);
        ScheduleStatus paused;
        using (TestKeys.As(alice))
        {
            paused = await cluster.Schedule("t1", "p").PauseAsync("alice", "maintenance");
        }

        Assert.Equal("alice", paused.Pause!.By);
        await cluster.AdvanceAsync(TimeSpan.FromMinutes(1));
        await cluster.Schedule("t1", "p").ResumeAsync();
        await cluster.AdvanceAsync(TimeSpan.FromMinutes(1));

        var history = await cluster.HistoryAsync("t1", "p");
        var skipped = Assert.Single(history, r => r.Status == RunStatus.Skipped);
        Assert.Equal(1, skipped.ScheduledAt!.Value.Minute);
        Assert.Contains("paused by alice", skipped.Reason);
        Assert.Contains("maintenance", skipped.Reason);
        Assert.Equal([0, 2], cluster.Scripted.RequestsOf("t1", "p").Select(r => r.ScheduledAt!.Value.Minute).Order().ToList());
    }
}
