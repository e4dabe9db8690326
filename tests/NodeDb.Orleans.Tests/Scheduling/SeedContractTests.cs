using NodeDb.Orleans.Grains.Scheduling;

namespace NodeDb.Orleans.Tests.Scheduling;

/// <summary>
/// NodeDB's <c>pending_minute_ticks</c> (event_scheduler.rs), kept exactly and generalised to the unit, and the
/// marker rules of <see cref="OccurrencePlanner.Plan"/>. NodeDB speaks in minute numbers since the epoch for
/// <c>last</c> and in seconds for <c>now</c>.
/// </summary>
public sealed class SeedContractTests
{
    private static CronSchedule Utc(string expression) => CronSchedule.Parse(expression, ScheduleZone.Utc);

    private static DateTimeOffset[] Minutes(params long[] minutes) => [.. minutes.Select(Instants.Minute)];

    [Theory]
    [InlineData("* * * * *", 0, 61, new long[] { 1 })] // scheduler_fires_minute_even_when_observation_jittered
    [InlineData("* * * * *", 0, 195, new long[] { 1, 2, 3 })] // scheduler_catches_up_across_skipped_minutes
    [InlineData("0 3 * * *", 179, 10821, new long[] { 180 })] // scheduler_daily_cron_survives_jitter_on_trigger_minute
    [InlineData("*/5 * * * *", 0, 303, new long[] { 5 })] // scheduler_catchup_filters_through_cron
    [InlineData("* * * * *", 1, 80, new long[0])] // scheduler_does_not_refire_same_minute
    public void NodeDb_pending_minute_ticks(string expression, long lastMinute, long nowSeconds, long[] expectedMinutes)
    {
        var pending = OccurrencePlanner.Pending(Utc(expression), Instants.Minute(lastMinute), Instants.Seconds(nowSeconds));

        Assert.Equal(Minutes(expectedMinutes), pending);
    }

    // last = None: only the current minute counts, even 59 s into it; earlier minutes are never considered.
    [Theory]
    [InlineData("* * * * *", 61, new long[] { 1 })]
    [InlineData("* * * * *", 119, new long[] { 1 })]
    [InlineData("* * * * *", 120, new long[] { 2 })]
    [InlineData("*/5 * * * *", 303, new long[] { 5 })]
    [InlineData("*/5 * * * *", 361, new long[0])]
    public void Never_fired_considers_only_the_current_minute(string expression, long nowSeconds, long[] expectedMinutes)
    {
        var pending = OccurrencePlanner.Pending(Utc(expression), lastFired: null, Instants.Seconds(nowSeconds));

        Assert.Equal(Minutes(expectedMinutes), pending);
    }

    [Fact]
    public void Second_precision_uses_the_second_as_unit()
    {
        var cron = Utc("* * * * * *");

        Assert.Equal(
            [Instants.Seconds(11), Instants.Seconds(12), Instants.Seconds(13)],
            OccurrencePlanner.Pending(cron, Instants.Seconds(10), Instants.SecondsAndMillis(13, 500)));
        Assert.Equal([Instants.Seconds(13)], OccurrencePlanner.Pending(cron, null, Instants.SecondsAndMillis(13, 500)));
        Assert.Empty(OccurrencePlanner.Pending(cron, Instants.Seconds(13), Instants.SecondsAndMillis(13, 900)));
    }

    [Fact]
    public void Pending_is_empty_when_the_clock_is_behind_the_marker()
    {
        Assert.Empty(OccurrencePlanner.Pending(Utc("* * * * *"), Instants.Minute(10), Instants.Seconds(300)));
    }

    [Fact]
    public void First_observation_fires_the_current_minute_and_moves_the_marker_to_it()
    {
        var plan = OccurrencePlanner.Plan(Utc("* * * * *"), null, Instants.Seconds(61), PlanningRules.Default);

        Assert.Equal([new PlannedRun(Instants.Minute(1), RunTrigger.Cron)], plan.Runs);
        Assert.Empty(plan.Missed);
        Assert.Equal(Instants.Minute(1), plan.Marker);
    }

    // NodeDB's "first observation advances the marker even when nothing matches": a never-matching cron stores the
    // unit start, so a later observation starts from there rather than from the beginning of time.
    [Fact]
    public void First_observation_of_a_cron_that_never_matches_moves_the_marker_to_the_unit_start()
    {
        var cron = Utc("0 0 31 2 *");

        var first = OccurrencePlanner.Plan(cron, null, Instants.SecondsAndMillis(1000, 500), PlanningRules.Default);
        var later = OccurrencePlanner.Plan(cron, first.Marker, Instants.Seconds(400 * 86400), PlanningRules.Default);

        Assert.Empty(first.Runs);
        Assert.Equal(Instants.Seconds(960), first.Marker);
        Assert.False(first.IsEmpty);
        Assert.Empty(later.Runs);
        Assert.Equal(0, later.MissedCount);
        Assert.True(later.IsEmpty);
        Assert.Null(later.Marker);
    }

    [Fact]
    public void First_observation_of_a_second_cron_that_does_not_match_now_moves_the_marker_to_the_second()
    {
        var plan = OccurrencePlanner.Plan(Utc("0 * * * * *"), null, Instants.SecondsAndMillis(61, 250), PlanningRules.Default);

        Assert.Empty(plan.Runs);
        Assert.Equal(Instants.Seconds(61), plan.Marker);
    }

    [Fact]
    public void Observation_with_nothing_pending_changes_nothing()
    {
        var plan = OccurrencePlanner.Plan(Utc("*/5 * * * *"), Instants.Minute(5), Instants.Seconds(8 * 60 + 30), PlanningRules.Default);

        Assert.True(plan.IsEmpty);
        Assert.Null(plan.Marker);
        Assert.Empty(plan.Runs);
        Assert.Equal(0, plan.MissedCount);
    }

    [Fact]
    public void Second_observation_in_an_already_fired_minute_changes_nothing()
    {
        var cron = Utc("* * * * *");

        var first = OccurrencePlanner.Plan(cron, Instants.Minute(0), Instants.Seconds(61), PlanningRules.Default);
        var second = OccurrencePlanner.Plan(cron, first.Marker, Instants.Seconds(80), PlanningRules.Default);

        Assert.Equal([new PlannedRun(Instants.Minute(1), RunTrigger.Cron)], first.Runs);
        Assert.Equal(Instants.Minute(1), first.Marker);
        Assert.True(second.IsEmpty);
    }

    [Fact]
    public void Clock_behind_the_marker_fires_nothing()
    {
        var plan = OccurrencePlanner.Plan(Utc("* * * * *"), Instants.Minute(10), Instants.Seconds(300), PlanningRules.Default);

        Assert.True(plan.IsEmpty);
    }

    // NodeDB's [1,2,3] case under the default rules: minute 3 (180 s) is the current minute at now = 195 s and
    // fires; minutes 1 and 2 are 135 s and 75 s old, beyond the 5 s grace, so SKIP records them as missed.
    [Fact]
    public void NodeDb_skipped_minutes_under_the_default_policy()
    {
        var plan = OccurrencePlanner.Plan(Utc("* * * * *"), Instants.Minute(0), Instants.Seconds(195), PlanningRules.Default);

        Assert.Equal([new PlannedRun(Instants.Minute(3), RunTrigger.Cron)], plan.Runs);
        Assert.Equal(Minutes(1, 2), plan.Missed);
        Assert.Null(plan.MissedBeyondCap);
        Assert.Equal(Instants.Minute(3), plan.Marker);
    }

    [Fact]
    public void Daily_cron_in_a_fixed_offset_fires_at_its_utc_instant()
    {
        var cron = CronSchedule.Parse("0 12 * * *", ScheduleZone.Parse("+05:00"));
        var at = Instants.At("2024-01-01T07:00:20Z");

        var plan = OccurrencePlanner.Plan(cron, Instants.At("2023-12-31T07:00:00Z"), at, PlanningRules.Default);

        Assert.Equal([new PlannedRun(Instants.At("2024-01-01T07:00:00Z"), RunTrigger.Cron)], plan.Runs);
        Assert.Equal(Instants.At("2024-01-01T07:00:00Z"), plan.Marker);
    }

    // The planner on the Berlin autumn overlap: 02:30 fired in the CEST copy (00:30 UTC); the CET copy
    // (01:30 UTC) is not an occurrence, so the second 02:30 fires nothing.
    [Fact]
    public void Fixed_time_cron_does_not_refire_in_the_repeated_hour()
    {
        var cron = CronSchedule.Parse("30 2 * * *", ScheduleZone.Parse("Europe/Berlin"));

        var first = OccurrencePlanner.Plan(cron, Instants.At("2026-10-24T00:30:00Z"), Instants.At("2026-10-25T00:30:01Z"), PlanningRules.Default);
        var repeated = OccurrencePlanner.Plan(cron, first.Marker, Instants.At("2026-10-25T01:30:01Z"), PlanningRules.Default);

        Assert.Equal([new PlannedRun(Instants.At("2026-10-25T00:30:00Z"), RunTrigger.Cron)], first.Runs);
        Assert.True(repeated.IsEmpty);
    }

    [Fact]
    public void Interval_cron_fires_again_in_the_repeated_hour()
    {
        var cron = CronSchedule.Parse("*/30 * * * *", ScheduleZone.Parse("Europe/Berlin"));

        var plan = OccurrencePlanner.Plan(cron, Instants.At("2026-10-25T00:30:00Z"), Instants.At("2026-10-25T01:00:02Z"), PlanningRules.Default);

        Assert.Equal([new PlannedRun(Instants.At("2026-10-25T01:00:00Z"), RunTrigger.Cron)], plan.Runs);
        Assert.Equal(TimeSpan.FromHours(1), cron.Zone.ToLocal(plan.Runs[0].ScheduledAt).Offset);
        Assert.Equal(2, cron.Zone.ToLocal(plan.Runs[0].ScheduledAt).Hour);
    }
}
