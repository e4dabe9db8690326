using NodeDb.Orleans.Grains.Scheduling;

namespace NodeDb.Orleans.Tests.Scheduling;

/// <summary>
/// DST transitions, as Cronos resolves them (DESIGN §4): a time in the spring gap moves to the first valid instant
/// (the end of the gap, 03:00 local, not 03:30); in the autumn overlap a fixed-time expression fires once, in the
/// first (summer-time) copy, and an interval expression (a step or <c>*</c> in the second, minute or hour field)
/// fires in both copies.
/// </summary>
/// <remarks>
/// Transitions in 2026: Europe/Berlin 29 March 02:00→03:00 (01:00 UTC) and 25 October 03:00→02:00 (01:00 UTC);
/// America/New_York 8 March 02:00→03:00 (07:00 UTC) and 1 November 02:00→01:00 (06:00 UTC).
/// Each expected occurrence is written "local with offset|UTC"; both the instant and the offset are asserted.
/// </remarks>
public sealed class CronScheduleDstTests
{
    [Theory]
    // Berlin, spring: 02:30 does not exist on the 29th and moves to 03:00 CEST.
    [InlineData("Europe/Berlin", "30 2 * * *", "2026-03-27T12:00:00Z",
        "2026-03-28T02:30:00+01:00|2026-03-28T01:30:00Z",
        "2026-03-29T03:00:00+02:00|2026-03-29T01:00:00Z",
        "2026-03-30T02:30:00+02:00|2026-03-30T00:30:00Z")]
    // Berlin, spring, interval: 02:00 and 02:30 do not exist; both collapse into the single 03:00 CEST.
    [InlineData("Europe/Berlin", "*/30 * * * *", "2026-03-28T23:45:00Z",
        "2026-03-29T01:00:00+01:00|2026-03-29T00:00:00Z",
        "2026-03-29T01:30:00+01:00|2026-03-29T00:30:00Z",
        "2026-03-29T03:00:00+02:00|2026-03-29T01:00:00Z",
        "2026-03-29T03:30:00+02:00|2026-03-29T01:30:00Z")]
    // Berlin, autumn, fixed time: 02:30 happens twice; it fires once, in the CEST copy.
    [InlineData("Europe/Berlin", "30 2 * * *", "2026-10-24T12:00:00Z",
        "2026-10-25T02:30:00+02:00|2026-10-25T00:30:00Z",
        "2026-10-26T02:30:00+01:00|2026-10-26T01:30:00Z")]
    // Berlin, autumn, interval: fires in both copies of 02:00-03:00.
    [InlineData("Europe/Berlin", "*/30 * * * *", "2026-10-24T23:45:00Z",
        "2026-10-25T02:00:00+02:00|2026-10-25T00:00:00Z",
        "2026-10-25T02:30:00+02:00|2026-10-25T00:30:00Z",
        "2026-10-25T02:00:00+01:00|2026-10-25T01:00:00Z",
        "2026-10-25T02:30:00+01:00|2026-10-25T01:30:00Z",
        "2026-10-25T03:00:00+01:00|2026-10-25T02:00:00Z")]
    // Berlin, autumn: a fixed hour with an interval minute is an interval expression too.
    [InlineData("Europe/Berlin", "0 * 2 * * *", "2026-10-25T00:58:00Z",
        "2026-10-25T02:59:00+02:00|2026-10-25T00:59:00Z",
        "2026-10-25T02:00:00+01:00|2026-10-25T01:00:00Z",
        "2026-10-25T02:01:00+01:00|2026-10-25T01:01:00Z")]
    // New York, spring.
    [InlineData("America/New_York", "30 2 * * *", "2026-03-07T12:00:00Z",
        "2026-03-08T03:00:00-04:00|2026-03-08T07:00:00Z",
        "2026-03-09T02:30:00-04:00|2026-03-09T06:30:00Z")]
    [InlineData("America/New_York", "*/30 * * * *", "2026-03-08T06:15:00Z",
        "2026-03-08T01:30:00-05:00|2026-03-08T06:30:00Z",
        "2026-03-08T03:00:00-04:00|2026-03-08T07:00:00Z",
        "2026-03-08T03:30:00-04:00|2026-03-08T07:30:00Z")]
    // New York, autumn: 01:00-02:00 repeats.
    [InlineData("America/New_York", "30 1 * * *", "2026-10-31T12:00:00Z",
        "2026-11-01T01:30:00-04:00|2026-11-01T05:30:00Z",
        "2026-11-02T01:30:00-05:00|2026-11-02T06:30:00Z")]
    [InlineData("America/New_York", "*/30 * * * *", "2026-11-01T04:45:00Z",
        "2026-11-01T01:00:00-04:00|2026-11-01T05:00:00Z",
        "2026-11-01T01:30:00-04:00|2026-11-01T05:30:00Z",
        "2026-11-01T01:00:00-05:00|2026-11-01T06:00:00Z",
        "2026-11-01T01:30:00-05:00|2026-11-01T06:30:00Z",
        "2026-11-01T02:00:00-05:00|2026-11-01T07:00:00Z")]
    // A fixed offset has no DST: 02:30 at +01:00 stays 01:30 UTC on the Berlin spring day.
    [InlineData("+01:00", "30 2 * * *", "2026-03-28T12:00:00Z",
        "2026-03-29T02:30:00+01:00|2026-03-29T01:30:00Z",
        "2026-03-30T02:30:00+01:00|2026-03-30T01:30:00Z")]
    public void Minute_precision_across_transitions(string zone, string expression, string after, params string[] expected)
    {
        AssertOccurrences(zone, expression, after, expected);
    }

    [Theory]
    // Berlin, spring: second 30 of 01:59 fires, every second-30 in the gap collapses into 03:00:00, then 03:00:30.
    [InlineData("Europe/Berlin", "30 * * * * *", "2026-03-29T00:59:00Z",
        "2026-03-29T01:59:30+01:00|2026-03-29T00:59:30Z",
        "2026-03-29T03:00:00+02:00|2026-03-29T01:00:00Z",
        "2026-03-29T03:00:30+02:00|2026-03-29T01:00:30Z",
        "2026-03-29T03:01:30+02:00|2026-03-29T01:01:30Z")]
    // Berlin, spring, fixed time with seconds: 02:30:15 moves to 03:00:00 exactly, not 03:30:15.
    [InlineData("Europe/Berlin", "15 30 2 * * *", "2026-03-28T12:00:00Z",
        "2026-03-29T03:00:00+02:00|2026-03-29T01:00:00Z",
        "2026-03-30T02:30:15+02:00|2026-03-30T00:30:15Z")]
    // Berlin, autumn, fixed time with seconds: once.
    [InlineData("Europe/Berlin", "15 30 2 * * *", "2026-10-24T12:00:00Z",
        "2026-10-25T02:30:15+02:00|2026-10-25T00:30:15Z",
        "2026-10-26T02:30:15+01:00|2026-10-26T01:30:15Z")]
    // Berlin, autumn, hourly with seconds (interval hour): 02:00:00 in both copies.
    [InlineData("Europe/Berlin", "0 0 * * * *", "2026-10-24T23:30:00Z",
        "2026-10-25T02:00:00+02:00|2026-10-25T00:00:00Z",
        "2026-10-25T02:00:00+01:00|2026-10-25T01:00:00Z",
        "2026-10-25T03:00:00+01:00|2026-10-25T02:00:00Z")]
    // New York, autumn, fixed time with seconds: once.
    [InlineData("America/New_York", "30 59 1 * * *", "2026-10-31T12:00:00Z",
        "2026-11-01T01:59:30-04:00|2026-11-01T05:59:30Z",
        "2026-11-02T01:59:30-05:00|2026-11-02T06:59:30Z")]
    // New York, autumn, interval seconds inside a fixed minute and hour: both copies of 01:59.
    [InlineData("America/New_York", "*/20 59 1 * * *", "2026-11-01T05:58:00Z",
        "2026-11-01T01:59:00-04:00|2026-11-01T05:59:00Z",
        "2026-11-01T01:59:20-04:00|2026-11-01T05:59:20Z",
        "2026-11-01T01:59:40-04:00|2026-11-01T05:59:40Z",
        "2026-11-01T01:59:00-05:00|2026-11-01T06:59:00Z",
        "2026-11-01T01:59:20-05:00|2026-11-01T06:59:20Z",
        "2026-11-01T01:59:40-05:00|2026-11-01T06:59:40Z",
        "2026-11-02T01:59:00-05:00|2026-11-02T06:59:00Z")]
    public void Second_precision_across_transitions(string zone, string expression, string after, params string[] expected)
    {
        AssertOccurrences(zone, expression, after, expected);
    }

    [Fact]
    public void Between_over_the_autumn_overlap_agrees_with_Next()
    {
        var cron = CronSchedule.Parse("*/30 * * * *", ScheduleZone.Parse("Europe/Berlin"));

        var between = cron.Between(Instants.At("2026-10-24T23:45:00Z"), Instants.At("2026-10-25T02:00:00Z"), fromInclusive: false);

        Assert.Equal(cron.Next(Instants.At("2026-10-24T23:45:00Z"), 5).Select(n => n.ToUniversalTime()), between);
        Assert.All(between, b => Assert.Equal(TimeSpan.Zero, b.Offset));
    }

    private static void AssertOccurrences(string zone, string expression, string after, string[] expected)
    {
        var cron = CronSchedule.Parse(expression, ScheduleZone.Parse(zone));

        var next = cron.Next(Instants.At(after), expected.Length);

        Assert.Equal(expected.Length, next.Count);
        for (var i = 0; i < expected.Length; i++)
        {
            var parts = expected[i].Split('|');
            var local = Instants.At(parts[0]);
            var utc = Instants.At(parts[1]);
            Assert.Equal(utc.UtcDateTime, next[i].UtcDateTime);
            Assert.Equal(local.Offset, next[i].Offset);
            Assert.Equal(local.DateTime, next[i].DateTime);
        }
    }
}
