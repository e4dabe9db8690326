using NodeDb.Orleans.Grains.Scheduling;

namespace NodeDb.Orleans.Tests.Scheduling;

/// <summary>
/// An every-second schedule observed 30 days after it last fired: 2,592,000 pending occurrences. The plan stays
/// bounded: a few runs, <see cref="PlanningRules.MissedRowCap"/> rows and one summary range.
/// </summary>
/// <remarks>
/// Last fired at T, now = T + 30 days exactly. Pending: T+1 s … T+2,592,000 s. With the 5 s grace the last five
/// (T+2,591,996 s … now, ages 4 s … 0 s) are on time; the other 2,591,995 are missed. Rows hold the 100 most recent
/// missed (T+2,591,896 s … T+2,591,995 s); the summary covers T+1 s … T+2,591,895 s, 2,591,895 occurrences.
/// </remarks>
public sealed class HugeGapTests
{
    private const int Gap = 30 * 86400;
    private static readonly CronSchedule EverySecond = CronSchedule.Parse("@every_second", ScheduleZone.Utc);
    private static readonly DateTimeOffset Last = Instants.At("2026-01-01T00:00:00Z");
    private static readonly DateTimeOffset Now = Last.AddSeconds(Gap);

    private static DateTimeOffset T(int seconds) => Last.AddSeconds(seconds);

    private static IEnumerable<PlannedRun> OnTime() => Enumerable.Range(Gap - 4, 5).Select(s => new PlannedRun(T(s), RunTrigger.Cron));

    [Fact]
    public void Skip_keeps_the_rows_bounded()
    {
        var plan = OccurrencePlanner.Plan(EverySecond, Last, Now, PlanningRules.Default);

        Assert.Equal(OnTime(), plan.Runs);
        Assert.Equal(100, plan.Missed.Length);
        Assert.Equal(T(Gap - 104), plan.Missed[0]);
        Assert.Equal(T(Gap - 5), plan.Missed[^1]);
        Assert.Equal(new MissedRange(T(1), T(Gap - 105), Gap - 105), plan.MissedBeyondCap);
        Assert.Equal(Gap - 5, plan.MissedCount);
        Assert.Equal(Now, plan.Marker);
    }

    [Fact]
    public void Catch_up_is_one_run_for_the_whole_gap()
    {
        var plan = OccurrencePlanner.Plan(EverySecond, Last, Now, PlanningRules.Default with { Missed = MissedPolicy.CatchUp });

        Assert.Equal([new PlannedRun(T(Gap - 5), RunTrigger.CatchUp, T(1), Gap - 5), .. OnTime()], plan.Runs);
        Assert.Empty(plan.Missed);
        Assert.Null(plan.MissedBeyondCap);
    }

    [Fact]
    public void Queue_replays_only_the_cap()
    {
        var plan = OccurrencePlanner.Plan(EverySecond, Last, Now, PlanningRules.Default with { Missed = MissedPolicy.Queue });

        Assert.Equal(
            [.. Enumerable.Range(Gap - 104, 100).Select(s => new PlannedRun(T(s), RunTrigger.Queue)), .. OnTime()],
            plan.Runs);
        Assert.Equal(100, plan.Missed.Length);
        Assert.Equal(T(Gap - 204), plan.Missed[0]);
        Assert.Equal(T(Gap - 105), plan.Missed[^1]);
        Assert.Equal(new MissedRange(T(1), T(Gap - 205), Gap - 205), plan.MissedBeyondCap);
        Assert.Equal(Gap - 105, plan.MissedCount);
    }
}
