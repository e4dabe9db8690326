using System.Diagnostics;
using System.Globalization;
using NodeDb.Orleans.Grains.Scheduling;

namespace NodeDb.Orleans.Benchmarks.Planning;

/// <summary>
/// P1: the time one observation takes to plan an every-second schedule after a gap of an hour, a day and thirty
/// days, for each missed policy: the bounded planner beside the walk over every occurrence it replaced.
/// </summary>
/// <remarks>
/// Pure CPU in one thread, no silo: this is the grain turn a schedule spends when it wakes after the outage (and
/// every schedule of the cluster spends at a cold start). Each figure is the median of several plans after one
/// warm-up; the walk gets fewer repetitions because thirty days of it take seconds.
/// </remarks>
public static class PlanningScenario
{
    private static readonly (string Name, TimeSpan Gap)[] Gaps =
        [("1 h", TimeSpan.FromHours(1)), ("1 day", TimeSpan.FromDays(1)), ("30 days", TimeSpan.FromDays(30))];

    public static ResultTable Run(BenchSettings settings, TextWriter log)
    {
        var table = new ResultTable("P1 planning after an outage: one every-second schedule (NodeDb.Orleans column: bounded planner; the walk before issue 14 in the metric name)");
        var cron = CronSchedule.Parse("@every_second", ScheduleZone.Utc);
        var last = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        foreach (var policy in new[] { MissedPolicy.Skip, MissedPolicy.Queue, MissedPolicy.CatchUp })
        {
            var rules = PlanningRules.Default with { Missed = policy };
            foreach (var (name, gap) in Gaps)
            {
                var now = last + gap;
                var bounded = Median(() => OccurrencePlanner.Plan(cron, last, now, rules), settings.PlanningRepetitions);
                var walking = Median(() => WalkingPlanner.Plan(cron, last, now, rules), Math.Max(1, settings.PlanningRepetitions / 10));
                log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"P1 {policy} after {name}: bounded {bounded:0.000} ms, walking {walking:0.0} ms"));
                table.Add(
                    string.Create(CultureInfo.InvariantCulture, $"{policy}, {name} gap ({gap.TotalSeconds:#,0} occurrences): ms per plan; walk before #14 {walking:0.0} ms"),
                    bounded, double.NaN, format: "0.000");
            }
        }

        table.Note("Both planners give the same plan (tests/NodeDb.Orleans.Tests/Scheduling/BoundedPlanningTests.cs holds them side by side).");
        return table;
    }

    private static double Median(Func<FiringPlan> plan, int repetitions)
    {
        plan();
        var times = new double[repetitions];
        for (var i = 0; i < repetitions; i++)
        {
            var watch = Stopwatch.StartNew();
            plan();
            times[i] = watch.Elapsed.TotalMilliseconds;
        }

        Array.Sort(times);
        return times[repetitions / 2];
    }
}
