using NodeDb.Orleans.Tests.Cluster;

namespace NodeDb.Orleans.Tests.Firing;

[Collection(ClusterCollection.Name)]
public sealed class LifecycleTests
{
    [Theory]
    [InlineData("61 * * * *", "invalid_cron", "'61 * * * *'")]
    [InlineData("* * *", "invalid_cron", "3 fields")]
    [InlineData("@sometimes", "invalid_cron", "'@sometimes'")]
    public async Task Create_rejects_a_bad_cron_naming_it(string cron, string code, string quoted)
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 1);
        var error = await Assert.ThrowsAsync<NodeDbException>(() => cluster.CreateAsync("t1", "bad", cron));
        Assert.Equal(code, error.Code);
        Assert.Contains(quoted, error.Message);
        Assert.Null(await cluster.Schedule("t1", "bad").GetStatusAsync());
        Assert.Empty(await cluster.Client.GetGrain<ITenantSchedulesGrain>("t1").ListAsync());
    }

    [Fact]
    public async Task Create_rejects_unknown_zones_and_bad_options_and_keeps_the_stored_schedule()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 1);
        await cluster.CreateAsync("t1", "keep", "0 3 * * *", d => d with { TimeZone = "Europe/Berlin" });

        var zone = await Assert.ThrowsAsync<NodeDbException>(() =>
            cluster.Schedule("t1", "keep").UpdateAsync(new ScheduleDefinition
            {
                Tenant = "t1", Name = "keep", Cron = "0 3 * * *", TimeZone = "Mars/Olympus", Body = "BEGIN SELECT 1; END",
            }));
        Assert.Equal("invalid_timezone", zone.Code);
        Assert.Contains("'Mars/Olympus'", zone.Message);

        var retries = await Assert.ThrowsAsync<NodeDbException>(() =>
            cluster.CreateAsync("t1", "other", "* * * * *", d => d with { Retries = -1 }));
        Assert.Contains("RETRIES = -1", retries.Message);

        var exists = await Assert.ThrowsAsync<NodeDbException>(() => cluster.CreateAsync("t1", "keep", "* * * * *"));
        Assert.Equal("already_exists", exists.Code);

        var kept = await cluster.Schedule("t1", "keep").GetStatusAsync();
        Assert.Equal(("0 3 * * *", "Europe/Berlin"), (kept!.Definition.Cron, kept.Definition.TimeZone));
        Assert.Equal(TimeSpan.FromHours(1), kept.NextRun!.Value.Offset); // shown in Berlin time (CET in January)
    }

    [Fact]
    public async Task Drop_removes_the_schedule_its_history_and_its_index_entry()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 2);
        await cluster.CreateAsync("t1", "a", "* * * * *");
        await cluster.CreateAsync("t1", "b", "* * * * *");
        await cluster.AdvanceAsync(TimeSpan.Zero);
        Assert.Equal(["a", "b"], await cluster.Client.GetGrain<ITenantSchedulesGrain>("t1").ListAsync());

        Assert.True(await cluster.Schedule("t1", "a").DropAsync());
        Assert.False(await cluster.Schedule("t1", "a").DropAsync());
        await cluster.AdvanceAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(["b"], await cluster.Client.GetGrain<ITenantSchedulesGrain>("t1").ListAsync());
        Assert.Empty(await cluster.HistoryAsync("t1", "a"));
        Assert.Equal(2, (await cluster.HistoryAsync("t1", "b")).Count);
        Assert.Single(cluster.Scripted.RequestsOf("t1", "a"));
    }

    [Fact]
    public async Task Disable_then_enable_does_not_catch_up_the_disabled_period()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 1);
        await cluster.CreateAsync("t1", "d", "* * * * *", d => d with { Missed = MissedPolicy.CatchUp });
        await cluster.AdvanceAsync(TimeSpan.Zero);
        await cluster.Schedule("t1", "d").SetEnabledAsync(false);
        await cluster.AdvanceAsync(TimeSpan.FromMinutes(10));
        await cluster.Schedule("t1", "d").SetEnabledAsync(true);
        await cluster.AdvanceAsync(TimeSpan.Zero);

        var fired = cluster.Scripted.RequestsOf("t1", "d");
        Assert.Equal([0, 10], fired.Select(r => r.ScheduledAt!.Value.Minute).ToList());
        Assert.DoesNotContain(fired, r => r.Trigger == RunTrigger.CatchUp);
    }

    [Fact]
    public async Task Trigger_and_backfill_run_outside_the_cron_and_are_recorded_as_such()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 1);
        await cluster.CreateAsync("t1", "m", "0 * * * *");
        await cluster.AdvanceAsync(TimeSpan.Zero);
        var runId = await cluster.Schedule("t1", "m").TriggerAsync("bob");
        await cluster.DrainAsync();
        var from = new DateTimeOffset(2026, 1, 5, 8, 0, 0, TimeSpan.Zero);
        // The grain itself refuses an empty name (a client's is replaced by its key's principal before it gets there).
        await Assert.ThrowsAsync<ArgumentException>(() => cluster.Internal.GetGrain<IScheduleGrain>(ScheduleKey.Of("t1", "m")).BackfillAsync(from, from.AddHours(2), ""));
        Assert.Equal(3, await cluster.Schedule("t1", "m").BackfillAsync(from, from.AddHours(2), "carol"));
        await cluster.DrainAsync();

        var history = await cluster.HistoryAsync("t1", "m");
        Assert.Equal(RunTrigger.Manual, Assert.Single(history, r => r.RunId == runId).Trigger);
        Assert.Equal([8, 9, 10], history.Where(r => r.Trigger == RunTrigger.Backfill).Select(r => r.ScheduledAt!.Value.Hour).Order().ToList());
        Assert.All(history, r => Assert.Equal(RunStatus.Succeeded, r.Status));
    }

    [Fact]
    public async Task A_schedule_recreated_after_drop_never_reuses_a_run_id()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 1);
        await cluster.CreateAsync("t1", "again", "* * * * *");
        await cluster.AdvanceAsync(TimeSpan.Zero);
        await cluster.Schedule("t1", "again").DropAsync();
        await cluster.Cluster.DeactivateAsync(cluster.Schedule("t1", "again"));
        await cluster.CreateAsync("t1", "again", "* * * * *");
        await cluster.AdvanceAsync(TimeSpan.Zero); // the same minute fires again for the new schedule

        var runs = cluster.Scripted.RequestsOf("t1", "again");
        Assert.Equal(2, runs.Count);
        Assert.Equal(runs[0].ScheduledAt, runs[1].ScheduledAt);
        Assert.NotEqual(runs[0].RunId, runs[1].RunId);
    }
}
