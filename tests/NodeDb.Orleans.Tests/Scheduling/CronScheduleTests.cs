using NodeDb.Orleans.Grains.Scheduling;

namespace NodeDb.Orleans.Tests.Scheduling;

/// <summary>NodeDB's matching tests (event_scheduler.rs, cron.rs) on Cronos, and the occurrence queries.</summary>
public sealed class CronScheduleTests
{
    private static CronSchedule Utc(string expression) => CronSchedule.Parse(expression, ScheduleZone.Utc);

    /// <summary>NodeDB's <c>matches_epoch</c>: an instant is an occurrence when the next one after just before it is itself.</summary>
    private static bool Fires(CronSchedule cron, DateTimeOffset instant) => cron.NextAfter(instant.AddTicks(-1)) == instant;

    [Theory]
    [InlineData("* * * * *", 0, true)] // cron_every_minute
    [InlineData("* * * * *", 60, true)]
    [InlineData("* * * * *", 3600, true)]
    [InlineData("30 * * * *", 1800, true)] // cron_specific_minute
    [InlineData("30 * * * *", 0, false)]
    [InlineData("0 12 * * *", 43200, true)] // cron_specific_hour_and_minute
    [InlineData("0 12 * * *", 46800, false)]
    [InlineData("0 9-17 * * *", 9 * 3600, true)] // cron_range
    [InlineData("0 9-17 * * *", 12 * 3600, true)]
    [InlineData("0 9-17 * * *", 17 * 3600, true)]
    [InlineData("0 9-17 * * *", 8 * 3600, false)]
    [InlineData("*/15 * * * *", 0, true)] // cron_step
    [InlineData("*/15 * * * *", 15 * 60, true)]
    [InlineData("*/15 * * * *", 30 * 60, true)]
    [InlineData("*/15 * * * *", 10 * 60, false)]
    [InlineData("0 0 * * *", 86400, true)] // matches_midnight_daily
    [InlineData("0 0 * * *", 86400 + 60, false)]
    [InlineData("0 0 1 1 *", 1704067200, true)] // matches_epoch_works: 2024-01-01 00:00
    [InlineData("0 0 * * 1", 1704067200, true)] // epoch_to_fields_known_date: 2024-01-01 is a Monday
    [InlineData("0 0 * * 0", 1704067200, false)]
    public void NodeDb_matching_cases(string expression, long epochSeconds, bool fires)
    {
        Assert.Equal(fires, Fires(Utc(expression), Instants.Seconds(epochSeconds)));
    }

    [Theory]
    [InlineData("*/15 * * * *", new[] { 0, 15, 30, 45 })] // parse_step
    [InlineData("0,30 * * * *", new[] { 0, 30 })] // parse_list
    [InlineData("1-10/3 * * * *", new[] { 1, 4, 7, 10 })] // parse_range_with_step
    [InlineData("0 * * * *", new[] { 0 })] // parse_specific
    public void Minutes_fired_within_one_hour(string expression, int[] minutes)
    {
        var fired = Utc(expression).Between(Instants.Seconds(0), Instants.Seconds(3599), fromInclusive: true);

        Assert.Equal(minutes.Select(m => Instants.Minute(m)), fired);
    }

    [Fact]
    public void Wildcard_fires_sixty_minutes_an_hour_and_hour_range_nine_times_a_day()
    {
        Assert.Equal(60, Utc("* * * * *").Between(Instants.Seconds(0), Instants.Seconds(3599), true).Count()); // parse_wildcard
        Assert.Equal(24, Utc("0 * * * *").Between(Instants.Seconds(0), Instants.Seconds(86399), true).Count());
        Assert.Equal(9, Utc("0 9-17 * * *").Between(Instants.Seconds(0), Instants.Seconds(86399), true).Count()); // parse_range
    }

    [Fact]
    public void Zero_offset_equals_utc()
    {
        var utc = Utc("0 12 * * *").Between(Instants.Seconds(0), Instants.Seconds(3 * 86400), true);
        var zero = CronSchedule.Parse("0 12 * * *", ScheduleZone.Parse("+00:00")).Between(Instants.Seconds(0), Instants.Seconds(3 * 86400), true);

        Assert.Equal(utc, zero);
        Assert.Equal([Instants.Seconds(43200), Instants.Seconds(86400 + 43200), Instants.Seconds(2 * 86400 + 43200)], zero);
    }

    [Theory]
    [InlineData("+05:00", 7 * 3600, true)] // matches_epoch_with_offset_positive_shift: 12:00 at +05:00 is 07:00 UTC
    [InlineData("+05:00", 12 * 3600, false)]
    [InlineData("-05:00", 17 * 3600, true)] // matches_epoch_with_offset_negative_shift
    [InlineData("-05:00", 12 * 3600, false)]
    [InlineData("+05:30", 6 * 3600 + 30 * 60, true)]
    [InlineData("+18:00", 18 * 3600, true)] // 12:00 at +18:00 is 18:00 UTC of the day before
    public void Fixed_offsets_shift_the_wall_clock(string offset, long secondsIntoDay, bool fires)
    {
        var cron = CronSchedule.Parse("0 12 * * *", ScheduleZone.Parse(offset));

        Assert.Equal(fires, Fires(cron, Instants.Seconds(1704067200 + secondsIntoDay)));
    }

    [Fact]
    public void Next_fire_after_with_offset_returns_utc()
    {
        var cron = CronSchedule.Parse("0 12 * * *", ScheduleZone.Parse("+05:00"));

        var next = cron.NextAfter(Instants.Seconds(1704067200)); // 2024-01-01 00:00 UTC

        Assert.Equal(Instants.At("2024-01-01T07:00:00Z"), next);
        Assert.Equal(TimeSpan.Zero, next!.Value.Offset);
    }

    [Fact]
    public void NextAfter_is_strictly_after_and_normalises_the_input_offset()
    {
        var cron = Utc("0 12 * * *");

        Assert.Equal(Instants.At("2024-01-02T12:00:00Z"), cron.NextAfter(Instants.At("2024-01-01T12:00:00Z")));
        Assert.Equal(Instants.At("2024-01-01T12:00:00Z"), cron.NextAfter(Instants.At("2024-01-01T13:59:59+02:00")));
    }

    [Fact]
    public void Next_lists_occurrences_in_the_schedule_zone_across_dst()
    {
        var cron = CronSchedule.Parse("0 9 * * *", ScheduleZone.Parse("Europe/Berlin"));

        var next = cron.Next(Instants.At("2026-03-27T12:00:00Z"), 3);

        Assert.Equal(
            [Instants.At("2026-03-28T08:00:00Z"), Instants.At("2026-03-29T07:00:00Z"), Instants.At("2026-03-30T07:00:00Z")],
            next);
        Assert.Equal([TimeSpan.FromHours(1), TimeSpan.FromHours(2), TimeSpan.FromHours(2)], next.Select(n => n.Offset));
        Assert.All(next, n => Assert.Equal(new TimeOnly(9, 0), TimeOnly.FromDateTime(n.DateTime)));
    }

    [Fact]
    public void Next_in_a_fixed_offset_carries_the_offset()
    {
        var cron = CronSchedule.Parse("0 12 * * *", ScheduleZone.Parse("+05:30"));

        var next = cron.Next(Instants.At("2026-01-01T00:00:00Z"), 2);

        Assert.Equal([Instants.At("2026-01-01T06:30:00Z"), Instants.At("2026-01-02T06:30:00Z")], next);
        Assert.All(next, n => Assert.Equal(TimeSpan.FromMinutes(330), n.Offset));
        Assert.All(next, n => Assert.Equal(12, n.Hour));
    }

    [Fact]
    public void Next_beyond_fourteen_hours_is_shown_in_utc()
    {
        var cron = CronSchedule.Parse("0 12 * * *", ScheduleZone.Parse("+18:00"));

        var next = cron.Next(Instants.At("2026-01-01T00:00:00Z"), 1);

        Assert.Equal([Instants.At("2026-01-01T18:00:00Z")], next);
        Assert.Equal(TimeSpan.Zero, next[0].Offset);
    }

    [Fact]
    public void Next_with_count_zero_is_empty_and_negative_is_an_argument_error()
    {
        var cron = Utc("* * * * *");

        Assert.Empty(cron.Next(Instants.Seconds(0), 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => cron.Next(Instants.Seconds(0), -1));
    }

    [Fact]
    public void Next_of_a_second_precision_cron_steps_by_seconds()
    {
        var cron = Utc("*/20 * * * * *");

        Assert.Equal(
            [Instants.Seconds(20), Instants.Seconds(40), Instants.Seconds(60), Instants.Seconds(80)],
            cron.Next(Instants.SecondsAndMillis(5, 500), 4));
    }

    [Theory]
    [InlineData("* * * * *", "2026-05-01T12:34:56.789Z", "2026-05-01T12:34:00Z")]
    [InlineData("* * * * * *", "2026-05-01T12:34:56.789Z", "2026-05-01T12:34:56Z")]
    [InlineData("* * * * *", "2026-05-01T14:34:56+02:00", "2026-05-01T12:34:00Z")]
    [InlineData("* * * * *", "2026-05-01T12:34:00Z", "2026-05-01T12:34:00Z")]
    public void UnitStart_truncates_to_the_unit_in_utc(string expression, string instant, string expected)
    {
        var start = Utc(expression).UnitStart(Instants.At(instant));

        Assert.Equal(Instants.At(expected), start);
        Assert.Equal(TimeSpan.Zero, start.Offset);
    }

    [Fact]
    public void Between_honours_the_inclusive_start_and_is_empty_when_reversed()
    {
        var cron = Utc("* * * * *");

        Assert.Equal([Instants.Minute(1), Instants.Minute(2)], cron.Between(Instants.Minute(1), Instants.Minute(2), fromInclusive: true));
        Assert.Equal([Instants.Minute(2)], cron.Between(Instants.Minute(1), Instants.Minute(2), fromInclusive: false));
        Assert.Empty(cron.Between(Instants.Minute(2), Instants.Minute(1), fromInclusive: true));
    }
}
