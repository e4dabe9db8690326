using NodeDb.Orleans.Grains.Scheduling;

namespace NodeDb.Orleans.Tests.Scheduling;

/// <summary>When the tick service must next look at a schedule.</summary>
public sealed class NextDueTests
{
    private static readonly CronSchedule EveryMinute = CronSchedule.Parse("* * * * *", ScheduleZone.Utc);
    private static readonly DateTimeOffset Noon = Instants.At("2026-05-01T12:00:00Z");

    [Fact]
    public void Never_observed_is_due_now()
    {
        var now = Noon.AddSeconds(17);

        Assert.Equal(now, OccurrencePlanner.NextDue(EveryMinute, null, now, PlanningRules.Default));
    }

    [Fact]
    public void Pending_occurrence_is_due_at_its_instant_in_the_past()
    {
        var due = OccurrencePlanner.NextDue(EveryMinute, Noon, Noon.AddMinutes(5).AddSeconds(30), PlanningRules.Default);

        Assert.Equal(Noon.AddMinutes(1), due);
    }

    [Fact]
    public void Nothing_pending_is_due_at_the_next_occurrence()
    {
        var due = OccurrencePlanner.NextDue(EveryMinute, Noon.AddMinutes(5), Noon.AddMinutes(5).AddSeconds(30), PlanningRules.Default);

        Assert.Equal(Noon.AddMinutes(6), due);
    }

    [Fact]
    public void Second_precision_is_due_at_the_next_second_occurrence()
    {
        var cron = CronSchedule.Parse("*/10 * * * * *", ScheduleZone.Utc);

        Assert.Equal(Noon.AddSeconds(20), OccurrencePlanner.NextDue(cron, Noon.AddSeconds(10), Noon.AddSeconds(12), PlanningRules.Default));
    }

    [Fact]
    public void Cron_that_never_matches_is_never_due()
    {
        var cron = CronSchedule.Parse("0 0 31 2 *", ScheduleZone.Utc);

        Assert.Null(OccurrencePlanner.NextDue(cron, Noon, Noon.AddSeconds(1), PlanningRules.Default));
    }

    [Fact]
    public void After_the_end_is_never_due()
    {
        var rules = PlanningRules.Default with { EndAt = Noon.AddMinutes(10).AddSeconds(30) };

        Assert.Null(OccurrencePlanner.NextDue(EveryMinute, Noon.AddMinutes(10), Noon.AddMinutes(10).AddSeconds(1), rules));
    }

    [Fact]
    public void An_occurrence_exactly_at_the_end_is_due()
    {
        var rules = PlanningRules.Default with { EndAt = Noon.AddMinutes(11) };

        Assert.Equal(Noon.AddMinutes(11), OccurrencePlanner.NextDue(EveryMinute, Noon.AddMinutes(10), Noon.AddMinutes(10), rules));
    }

    [Theory]
    [InlineData("2026-05-01T13:00:00Z", "2026-05-01T13:00:00Z")] // an occurrence at the start itself is due
    [InlineData("2026-05-01T13:00:30Z", "2026-05-01T13:01:00Z")]
    public void Before_the_start_is_due_at_the_first_occurrence_from_the_start(string start, string expected)
    {
        var rules = PlanningRules.Default with { StartAt = Instants.At(start) };

        Assert.Equal(Instants.At(expected), OccurrencePlanner.NextDue(EveryMinute, Noon, Noon.AddSeconds(10), rules));
    }

    [Fact]
    public void Due_instant_follows_the_zone_across_dst()
    {
        var cron = CronSchedule.Parse("0 9 * * *", ScheduleZone.Parse("Europe/Berlin"));

        var due = OccurrencePlanner.NextDue(cron, Instants.At("2026-03-28T08:00:00Z"), Instants.At("2026-03-28T08:00:05Z"), PlanningRules.Default);

        Assert.Equal(Instants.At("2026-03-29T07:00:00Z"), due);
        Assert.Equal(TimeSpan.Zero, due!.Value.Offset);
    }
}
