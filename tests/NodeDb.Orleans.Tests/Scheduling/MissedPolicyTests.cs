using NodeDb.Orleans.Grains.Scheduling;

namespace NodeDb.Orleans.Tests.Scheduling;

/// <summary>
/// SKIP, CATCH_UP and QUEUE after a simulated 30-minute gap of an every-minute schedule, the grace period,
/// the missed-row cap, and StartAt/EndAt.
/// </summary>
/// <remarks>
/// The gap: last fired at 12:00, observed again at 12:30:02. Pending are 12:01 … 12:30, thirty occurrences.
/// 12:30 lies in the current minute and fires on time. 12:29 is 62 s old, beyond the 5 s grace, so it and the
/// 28 before it, 29 occurrences (12:01 … 12:29), are missed and go to the policy.
/// </remarks>
public sealed class MissedPolicyTests
{
    private static readonly CronSchedule EveryMinute = CronSchedule.Parse("* * * * *", ScheduleZone.Utc);
    private static readonly DateTimeOffset LastFired = Instants.At("2026-05-01T12:00:00Z");
    private static readonly DateTimeOffset Now = Instants.At("2026-05-01T12:30:02Z");

    private static DateTimeOffset At(int minute) => LastFired.AddMinutes(minute);

    private static DateTimeOffset[] Range(int fromMinute, int toMinute) =>
        [.. Enumerable.Range(fromMinute, toMinute - fromMinute + 1).Select(At)];

    private static PlanningRules Rules(MissedPolicy policy, int queueCap = 100, int rowCap = 100) =>
        new(policy, TimeSpan.FromSeconds(5), queueCap, rowCap);

    [Fact]
    public void Default_rules_are_skip_with_five_seconds_grace_and_caps_of_100()
    {
        Assert.Equal(new PlanningRules(MissedPolicy.Skip, TimeSpan.FromSeconds(5), 100, 100, null, null), PlanningRules.Default);
    }

    [Fact]
    public void Skip_runs_the_current_occurrence_and_records_each_missed_one()
    {
        var plan = OccurrencePlanner.Plan(EveryMinute, LastFired, Now, PlanningRules.Default);

        Assert.Equal([new PlannedRun(At(30), RunTrigger.Cron)], plan.Runs);
        Assert.Equal(Range(1, 29), plan.Missed);
        Assert.Null(plan.MissedBeyondCap);
        Assert.Equal(29, plan.MissedCount);
        Assert.Equal(At(30), plan.Marker);
    }

    [Fact]
    public void Catch_up_runs_once_for_the_whole_missed_range_then_the_current_occurrence()
    {
        var plan = OccurrencePlanner.Plan(EveryMinute, LastFired, Now, Rules(MissedPolicy.CatchUp));

        Assert.Equal(
            [new PlannedRun(At(29), RunTrigger.CatchUp, CoversFrom: At(1), Count: 29), new PlannedRun(At(30), RunTrigger.Cron)],
            plan.Runs);
        Assert.Empty(plan.Missed);
        Assert.Null(plan.MissedBeyondCap);
        Assert.Equal(At(30), plan.Marker);
    }

    [Fact]
    public void Queue_replays_every_missed_occurrence_in_order_then_the_current_one()
    {
        var plan = OccurrencePlanner.Plan(EveryMinute, LastFired, Now, Rules(MissedPolicy.Queue));

        Assert.Equal(
            [.. Range(1, 29).Select(o => new PlannedRun(o, RunTrigger.Queue)), new PlannedRun(At(30), RunTrigger.Cron)],
            plan.Runs);
        Assert.Empty(plan.Missed);
        Assert.Equal(At(30), plan.Marker);
    }

    // Cap 10: the 10 most recent missed (12:20 … 12:29) are queued; the 19 older ones (12:01 … 12:19) are Missed.
    [Fact]
    public void Queue_cap_keeps_the_most_recent_and_records_the_older_as_missed()
    {
        var plan = OccurrencePlanner.Plan(EveryMinute, LastFired, Now, Rules(MissedPolicy.Queue, queueCap: 10));

        Assert.Equal(
            [.. Range(20, 29).Select(o => new PlannedRun(o, RunTrigger.Queue)), new PlannedRun(At(30), RunTrigger.Cron)],
            plan.Runs);
        Assert.Equal(Range(1, 19), plan.Missed);
        Assert.Null(plan.MissedBeyondCap);
        Assert.Equal(19, plan.MissedCount);
    }

    [Fact]
    public void Queue_cap_zero_queues_nothing()
    {
        var plan = OccurrencePlanner.Plan(EveryMinute, LastFired, Now, Rules(MissedPolicy.Queue, queueCap: 0));

        Assert.Equal([new PlannedRun(At(30), RunTrigger.Cron)], plan.Runs);
        Assert.Equal(Range(1, 29), plan.Missed);
    }

    // Row cap 10: rows for the 10 most recent (12:20 … 12:29); the 19 older ones become one summary range.
    [Fact]
    public void Missed_rows_are_capped_with_the_older_ones_summarised()
    {
        var plan = OccurrencePlanner.Plan(EveryMinute, LastFired, Now, Rules(MissedPolicy.Skip, rowCap: 10));

        Assert.Equal([new PlannedRun(At(30), RunTrigger.Cron)], plan.Runs);
        Assert.Equal(Range(20, 29), plan.Missed);
        Assert.Equal(new MissedRange(At(1), At(19), 19), plan.MissedBeyondCap);
        Assert.Equal(29, plan.MissedCount);
    }

    [Fact]
    public void Row_cap_zero_summarises_every_missed_occurrence()
    {
        var plan = OccurrencePlanner.Plan(EveryMinute, LastFired, Now, Rules(MissedPolicy.Skip, rowCap: 0));

        Assert.Empty(plan.Missed);
        Assert.Equal(new MissedRange(At(1), At(29), 29), plan.MissedBeyondCap);
    }

    // Queue cap 10 leaves 19 missed (12:01 … 12:19); row cap 5 keeps 12:15 … 12:19 and summarises 12:01 … 12:14.
    [Fact]
    public void Queue_overflow_goes_through_the_row_cap()
    {
        var plan = OccurrencePlanner.Plan(EveryMinute, LastFired, Now, Rules(MissedPolicy.Queue, queueCap: 10, rowCap: 5));

        Assert.Equal(11, plan.Runs.Length);
        Assert.Equal(Range(15, 19), plan.Missed);
        Assert.Equal(new MissedRange(At(1), At(14), 14), plan.MissedBeyondCap);
        Assert.Equal(19, plan.MissedCount);
    }

    // `0 * * * * *` fires at second 0 of every minute; observed at 12:01:03, the 12:01:00 occurrence is 3 s old
    // and outside the current unit (the second 12:01:03).
    [Theory]
    [InlineData(5, true)]
    [InlineData(4, true)]
    [InlineData(3, false)] // grace is exclusive: exactly 3 s late is missed with a 3 s grace
    [InlineData(1, false)]
    [InlineData(0, false)]
    public void Second_precision_schedule_observed_three_seconds_late(int graceSeconds, bool onTime)
    {
        var cron = CronSchedule.Parse("0 * * * * *", ScheduleZone.Utc);
        var occurrence = Instants.At("2026-05-01T12:01:00Z");
        var rules = new PlanningRules(MissedPolicy.Skip, TimeSpan.FromSeconds(graceSeconds));

        var plan = OccurrencePlanner.Plan(cron, Instants.At("2026-05-01T12:00:00Z"), occurrence.AddSeconds(3), rules);

        Assert.Equal(onTime ? [new PlannedRun(occurrence, RunTrigger.Cron)] : [], plan.Runs);
        Assert.Equal(onTime ? [] : [occurrence], plan.Missed);
        Assert.Equal(occurrence, plan.Marker);
    }

    // Every second, last fired at 12:00:00, observed at 12:00:03.5: 12:00:01, :02 and :03 are 2.5 s, 1.5 s and
    // 0.5 s old (and :03 is in the current second).
    [Theory]
    [InlineData(5, 0)]
    [InlineData(2, 1)]
    [InlineData(1, 2)]
    public void Grace_counts_every_recent_occurrence_as_current(int graceSeconds, int missed)
    {
        var cron = CronSchedule.Parse("* * * * * *", ScheduleZone.Utc);
        var last = Instants.At("2026-05-01T12:00:00Z");
        var rules = new PlanningRules(MissedPolicy.Skip, TimeSpan.FromSeconds(graceSeconds));

        var plan = OccurrencePlanner.Plan(cron, last, last.AddMilliseconds(3500), rules);

        var occurrences = new[] { last.AddSeconds(1), last.AddSeconds(2), last.AddSeconds(3) };
        Assert.Equal(occurrences[..missed], plan.Missed);
        Assert.Equal(occurrences[missed..].Select(o => new PlannedRun(o, RunTrigger.Cron)), plan.Runs);
        Assert.Equal(last.AddSeconds(3), plan.Marker);
    }

    [Fact]
    public void A_late_tick_within_grace_is_on_time_under_every_policy()
    {
        var cron = CronSchedule.Parse("0 * * * * *", ScheduleZone.Utc);
        var occurrence = Instants.At("2026-05-01T12:01:00Z");

        foreach (var policy in new[] { MissedPolicy.Skip, MissedPolicy.CatchUp, MissedPolicy.Queue })
        {
            var plan = OccurrencePlanner.Plan(cron, occurrence.AddMinutes(-1), occurrence.AddSeconds(3), Rules(policy));

            Assert.Equal([new PlannedRun(occurrence, RunTrigger.Cron)], plan.Runs);
            Assert.Empty(plan.Missed);
        }
    }

    // StartAt 12:25: 12:01 … 12:24 are before the start, neither run nor missed; 12:25 … 12:29 are missed.
    [Fact]
    public void Occurrences_before_start_are_neither_run_nor_missed()
    {
        var rules = PlanningRules.Default with { StartAt = At(25) };

        var plan = OccurrencePlanner.Plan(EveryMinute, LastFired, Now, rules);

        Assert.Equal([new PlannedRun(At(30), RunTrigger.Cron)], plan.Runs);
        Assert.Equal(Range(25, 29), plan.Missed);
        Assert.Equal(At(30), plan.Marker);
    }

    [Fact]
    public void Start_in_the_future_fires_nothing_but_still_moves_the_marker()
    {
        var rules = PlanningRules.Default with { StartAt = At(60) };

        var plan = OccurrencePlanner.Plan(EveryMinute, LastFired, Now, rules);

        Assert.Empty(plan.Runs);
        Assert.Empty(plan.Missed);
        Assert.Equal(At(30), plan.Marker);
    }

    [Fact]
    public void Start_and_end_are_inclusive()
    {
        var rules = PlanningRules.Default with { StartAt = At(30), EndAt = At(30) };

        var plan = OccurrencePlanner.Plan(EveryMinute, LastFired, Now, rules);

        Assert.Equal([new PlannedRun(At(30), RunTrigger.Cron)], plan.Runs);
        Assert.Empty(plan.Missed);
    }

    // EndAt 12:10:30: 12:01 … 12:10 are missed; the enumeration stops at the first occurrence past the end (12:11),
    // which becomes the marker, so nothing after the end is ever considered again.
    [Fact]
    public void Occurrences_after_end_are_not_run()
    {
        var rules = PlanningRules.Default with { EndAt = At(10).AddSeconds(30) };

        var plan = OccurrencePlanner.Plan(EveryMinute, LastFired, Now, rules);

        Assert.Empty(plan.Runs);
        Assert.Equal(Range(1, 10), plan.Missed);
        Assert.Equal(At(11), plan.Marker);
    }

    [Fact]
    public void Catch_up_in_an_iana_zone_reports_utc_instants()
    {
        var cron = CronSchedule.Parse("0 * * * *", ScheduleZone.Parse("Europe/Berlin"));
        var last = Instants.At("2026-10-24T22:00:00Z");

        // Hourly across the Berlin autumn overlap: 23:00Z, 00:00Z, 01:00Z (02:00 twice), 02:00Z missed; 03:00Z current.
        var plan = OccurrencePlanner.Plan(cron, last, Instants.At("2026-10-25T03:00:01Z"), Rules(MissedPolicy.CatchUp));

        Assert.Equal(
            [
                new PlannedRun(Instants.At("2026-10-25T02:00:00Z"), RunTrigger.CatchUp, Instants.At("2026-10-24T23:00:00Z"), 4),
                new PlannedRun(Instants.At("2026-10-25T03:00:00Z"), RunTrigger.Cron),
            ],
            plan.Runs);
        Assert.All(plan.Runs, r => Assert.Equal(TimeSpan.Zero, r.ScheduledAt.Offset));
    }
}
