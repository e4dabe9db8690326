using NodeDb.Orleans.Benchmarks.Planning;
using NodeDb.Orleans.Grains.Scheduling;

namespace NodeDb.Orleans.Tests.Scheduling;

/// <summary>
/// The planner's work is bounded by the rows it writes, and its plan is the one a walk over every pending
/// occurrence gives (<see cref="WalkingPlanner"/>): runs, individual missed rows, the summary range and its count.
/// </summary>
public sealed class BoundedPlanningTests
{
    private static readonly string[] Crons =
    [
        "@every_second", "*/7 * * * * *", "0,30 * 1-3 * * *", "* * * * *", "*/5 9-17 * * 1-5", "30 2 * * *",
        "15 1,2,3 * * *", "0 0 L * *", "0 */6 29 2 *", "*/20 * 2 * * 0",
    ];

    private static readonly string[] Zones = ["UTC", "+05:45", "-18:00", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe"];

    public static TheoryData<string, string> CronsAndZones()
    {
        var data = new TheoryData<string, string>();
        foreach (var cron in Crons)
        {
            foreach (var zone in Zones)
            {
                data.Add(cron, zone);
            }
        }

        return data;
    }

    /// <summary>Random gaps (seconds to 40 days, many across a DST change), policies, caps, grace and start/end, against the walk.</summary>
    [Theory]
    [MemberData(nameof(CronsAndZones))]
    public void The_plan_is_the_one_a_walk_over_every_occurrence_gives(string expression, string zone)
    {
        var cron = CronSchedule.Parse(expression, ScheduleZone.Parse(zone));
        var random = new Random(HashCode.Combine(expression.Length, zone.Length, expression[0], zone[^1]));
        // Around the 2026 spring and autumn changes of both hemispheres, and an ordinary stretch.
        DateTimeOffset[] anchors =
        [
            Instants.At("2026-03-28T00:00:00Z"), Instants.At("2026-10-24T00:00:00Z"),
            Instants.At("2026-04-04T00:00:00Z"), Instants.At("2026-06-10T00:00:00Z"),
        ];
        // The walk costs a step per occurrence: keep second-unit gaps to a couple of days so the suite stays quick.
        var longest = cron.Unit == CronUnit.Second ? 2 * 86400 : 20 * 86400;
        for (var i = 0; i < 24; i++)
        {
            var anchor = anchors[i % anchors.Length];
            var last = anchor.AddSeconds(random.Next(-86400, 86400));
            var gap = TimeSpan.FromSeconds(random.Next(4) switch
            {
                0 => random.Next(0, 600),
                1 => random.Next(0, 6 * 3600),
                2 => random.Next(0, 3 * 86400),
                _ => random.Next(0, longest),
            }) + TimeSpan.FromMilliseconds(random.Next(1000));
            var now = last + gap;
            var rules = new PlanningRules(
                (MissedPolicy)random.Next(3),
                TimeSpan.FromSeconds(random.Next(4) == 0 ? 0 : random.Next(1, 400)),
                QueueCap: random.Next(5) == 0 ? 0 : random.Next(1, 150),
                MissedRowCap: random.Next(5) == 0 ? 0 : random.Next(1, 150),
                StartAt: random.Next(4) == 0 ? last + (gap * random.NextDouble()) : null,
                EndAt: random.Next(4) == 0 ? last + (gap * random.NextDouble()) : null);
            DateTimeOffset? lastFired = random.Next(8) == 0 ? null : last;

            AssertSamePlan(WalkingPlanner.Plan(cron, lastFired, now, rules), OccurrencePlanner.Plan(cron, lastFired, now, rules),
                $"{expression} in {zone}, last {lastFired:O}, now {now:O}, {rules}");
        }
    }

    [Theory]
    [MemberData(nameof(CronsAndZones))]
    public void Counting_a_range_matches_enumerating_it(string expression, string zone)
    {
        var cron = CronSchedule.Parse(expression, ScheduleZone.Parse(zone));
        var random = new Random(HashCode.Combine(zone.Length, expression.Length, zone[0], expression[^1]));
        var longest = cron.Unit == CronUnit.Second ? 2 * 86400 : 45 * 86400;
        for (var i = 0; i < 25; i++)
        {
            var from = Instants.At("2026-03-01T00:00:00Z").AddSeconds(random.Next(0, 300 * 86400)).AddMilliseconds(random.Next(1000));
            var to = from.AddSeconds(random.Next(0, longest)).AddMilliseconds(random.Next(1000));

            var enumerated = cron.InRange(from, to).LongCount();
            var counted = cron.Count(from, to);
            Assert.True(enumerated == counted, $"{expression} in {zone}: [{from:O}, {to:O}) counted {counted}, enumerated {enumerated}");
        }
    }

    [Theory]
    [InlineData("@every_second", "UTC", 3, 2)]
    [InlineData("*/7 * * * * *", "Europe/Berlin", 150, 3)]
    [InlineData("0 */6 29 2 *", "America/New_York", 2, 1200)]
    public void The_newest_occurrences_of_a_range_are_its_tail(string expression, string zone, int count, int days)
    {
        var cron = CronSchedule.Parse(expression, ScheduleZone.Parse(zone));
        var to = Instants.At("2026-03-29T05:00:00Z");
        var from = to.AddDays(-days);

        var all = cron.InRange(from, to).ToList();
        Assert.Equal(all.Skip(Math.Max(0, all.Count - count)), cron.Newest(from, to, count));
    }

    /// <summary>
    /// Forty years of an every-second schedule: 1.26 billion missed occurrences. The plan is exact (the five on-time
    /// runs, 100 rows, one summary range with its count), and it is made without walking the gap.
    /// </summary>
    /// <remarks>
    /// Not a performance target (those live in bench/, see docs/benchmarks.md). The wait only makes the failure of
    /// a planner that walks the gap visible: at tens of millions of occurrences a second such a walk takes over a
    /// minute; the bounded planner takes milliseconds, so the margin is three orders of magnitude.
    /// </remarks>
    [Fact]
    public async Task A_forty_year_gap_is_planned_exactly_without_walking_it()
    {
        var cron = CronSchedule.Parse("@every_second", ScheduleZone.Utc);
        var last = Instants.At("2026-01-01T00:00:00Z");
        var now = Instants.At("2066-01-01T00:00:00Z");
        var gap = (long)(now - last).TotalSeconds;

        var planning = Task.Factory.StartNew(
            () => OccurrencePlanner.Plan(cron, last, now, PlanningRules.Default), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var plan = await planning.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        Assert.Equal(Enumerable.Range(0, 5).Select(i => new PlannedRun(now.AddSeconds(i - 4), RunTrigger.Cron)), plan.Runs);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => now.AddSeconds(i - 104)), plan.Missed);
        Assert.Equal(new MissedRange(last.AddSeconds(1), now.AddSeconds(-105), checked((int)(gap - 105))), plan.MissedBeyondCap);
        Assert.Equal(now, plan.Marker);
    }

    private static void AssertSamePlan(FiringPlan expected, FiringPlan actual, string because)
    {
        Assert.True(expected.Runs.SequenceEqual(actual.Runs), $"runs differ: {because}");
        Assert.True(expected.Missed.SequenceEqual(actual.Missed), $"missed rows differ: {because}");
        Assert.True(expected.MissedBeyondCap == actual.MissedBeyondCap, $"summary {expected.MissedBeyondCap} ≠ {actual.MissedBeyondCap}: {because}");
        Assert.True(expected.Marker == actual.Marker, $"marker {expected.Marker:O} ≠ {actual.Marker:O}: {because}");
    }
}
