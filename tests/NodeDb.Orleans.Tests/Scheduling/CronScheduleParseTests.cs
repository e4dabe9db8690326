using NodeDb.Orleans.Grains.Scheduling;

namespace NodeDb.Orleans.Tests.Scheduling;

/// <summary>Parsing and validation: Cronos' dialect, the unit of each form, and invalid_cron errors.</summary>
public sealed class CronScheduleParseTests
{
    private static readonly DateTimeOffset NewYear2026 = Instants.At("2026-01-01T00:00:00Z");

    [Theory]
    [InlineData("* * * * *", CronUnit.Minute, 60)]
    [InlineData("* * * * * *", CronUnit.Second, 1)]
    [InlineData("0 * * * * *", CronUnit.Second, 1)]
    public void Field_count_sets_the_unit(string expression, CronUnit unit, int unitSeconds)
    {
        var cron = CronSchedule.Parse(expression, ScheduleZone.Utc);

        Assert.Equal(unit, cron.Unit);
        Assert.Equal(TimeSpan.FromSeconds(unitSeconds), cron.UnitLength);
        Assert.Equal(expression, cron.Text);
        Assert.Same(ScheduleZone.Utc, cron.Zone);
    }

    [Theory]
    [InlineData("@every_second", CronUnit.Second, "2026-01-01T00:00:01Z")]
    [InlineData("@EVERY_SECOND", CronUnit.Second, "2026-01-01T00:00:01Z")]
    [InlineData("@every_minute", CronUnit.Minute, "2026-01-01T00:01:00Z")]
    [InlineData("@hourly", CronUnit.Minute, "2026-01-01T01:00:00Z")]
    [InlineData("@daily", CronUnit.Minute, "2026-01-02T00:00:00Z")]
    [InlineData("@midnight", CronUnit.Minute, "2026-01-02T00:00:00Z")]
    [InlineData("@weekly", CronUnit.Minute, "2026-01-04T00:00:00Z")] // 2026-01-04 is the first Sunday
    [InlineData("@monthly", CronUnit.Minute, "2026-02-01T00:00:00Z")]
    [InlineData("@yearly", CronUnit.Minute, "2027-01-01T00:00:00Z")]
    [InlineData("@annually", CronUnit.Minute, "2027-01-01T00:00:00Z")]
    public void Macros_parse_with_their_unit_and_meaning(string expression, CronUnit unit, string next)
    {
        var cron = CronSchedule.Parse(expression, ScheduleZone.Utc);

        Assert.Equal(unit, cron.Unit);
        Assert.Equal(Instants.At(next), cron.NextAfter(NewYear2026));
    }

    [Theory]
    [InlineData("0 0 L * *", "2026-01-31T00:00:00Z")] // last day of the month
    [InlineData("0 0 LW * *", "2026-01-30T00:00:00Z")] // last weekday: the 31st is a Saturday
    [InlineData("0 0 15W 2 *", "2026-02-16T00:00:00Z")] // 15 Feb 2026 is a Sunday: nearest weekday is Monday the 16th
    [InlineData("0 0 * * 5#3", "2026-01-16T00:00:00Z")] // third Friday
    [InlineData("0 0 * * 5L", "2026-01-30T00:00:00Z")] // last Friday
    [InlineData("0 0 * * MON", "2026-01-05T00:00:00Z")]
    [InlineData("0 0 * * 7", "2026-01-04T00:00:00Z")] // 7 is Sunday in Cronos (NodeDB refused it)
    [InlineData("0 0 1 * 1", "2026-06-01T00:00:00Z")] // both day fields restricted: Cronos ANDs them, as NodeDB did
    public void Cronos_special_characters_are_supported(string expression, string next)
    {
        var cron = CronSchedule.Parse(expression, ScheduleZone.Utc);

        Assert.Equal(Instants.At(next), cron.NextAfter(NewYear2026));
    }

    [Theory]
    [InlineData("*\t*  * * *")]
    [InlineData("  * * * * *  ")]
    public void Whitespace_between_and_around_fields_is_tolerated(string expression)
    {
        var cron = CronSchedule.Parse(expression, ScheduleZone.Utc);

        Assert.Equal(CronUnit.Minute, cron.Unit);
        Assert.Equal(expression.Trim(), cron.Text);
        Assert.Equal(Instants.At("2026-01-01T00:01:00Z"), cron.NextAfter(NewYear2026));
    }

    [Fact]
    public void A_cron_that_can_never_fire_parses_and_has_no_next_occurrence()
    {
        var cron = CronSchedule.Parse("0 0 31 2 *", ScheduleZone.Utc);

        Assert.Null(cron.NextAfter(NewYear2026));
        Assert.Empty(cron.Next(NewYear2026, 3));
    }

    // NodeDB's cron_invalid_rejected: "", "* * *" and "60 * * * *".
    [Theory]
    [InlineData("* * *", 3)]
    [InlineData("*", 1)]
    [InlineData("* * * *", 4)]
    [InlineData("* * * * * * *", 7)]
    public void Wrong_field_count_is_invalid_cron_and_says_how_many(string expression, int fields)
    {
        var error = Assert.Throws<NodeDbException>(() => CronSchedule.Parse(expression, ScheduleZone.Utc));

        Assert.Equal(ErrorCodes.InvalidCron, error.Code);
        Assert.Equal(
            $"Cron expression '{expression}' is invalid: it has {fields} fields; use 5 (minute hour day-of-month month day-of-week) or 6 with leading seconds.",
            error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Empty_expression_is_invalid_cron(string expression)
    {
        var error = Assert.Throws<NodeDbException>(() => CronSchedule.Parse(expression, ScheduleZone.Utc));

        Assert.Equal(ErrorCodes.InvalidCron, error.Code);
        Assert.Equal("Cron expression '' is invalid: it is empty.", error.Message);
    }

    [Theory]
    [InlineData("60 * * * *", "Minutes")]
    [InlineData("* 24 * * *", "Hours")]
    [InlineData("0 0 32 * *", "Days of month")]
    [InlineData("0 0 * 13 *", "Months")]
    [InlineData("*/0 * * * *", "Minutes")]
    [InlineData("60 * * * * *", "Seconds")]
    [InlineData("a b c d e", "Minutes")]
    [InlineData("1,,2 * * * *", "Minutes")]
    public void Values_cronos_rejects_are_invalid_cron_with_its_reason(string expression, string field)
    {
        var error = Assert.Throws<NodeDbException>(() => CronSchedule.Parse(expression, ScheduleZone.Utc));

        Assert.Equal(ErrorCodes.InvalidCron, error.Code);
        Assert.StartsWith($"Cron expression '{expression}' is invalid: ", error.Message);
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
        Assert.Null(error.InnerException); // it crosses the wire to clients that do not know Cronos' types
    }

    [Theory]
    [InlineData("@reboot")]
    [InlineData("@every_hour")]
    [InlineData("@")]
    [InlineData("@daily 5")]
    [InlineData("@every_second *")]
    public void Unknown_macros_are_invalid_cron(string expression)
    {
        var error = Assert.Throws<NodeDbException>(() => CronSchedule.Parse(expression, ScheduleZone.Utc));

        Assert.Equal(ErrorCodes.InvalidCron, error.Code);
        Assert.StartsWith($"Cron expression '{expression}' is invalid: ", error.Message);
    }

    [Fact]
    public void Null_arguments_are_argument_errors()
    {
        Assert.Throws<ArgumentNullException>(() => CronSchedule.Parse(null!, ScheduleZone.Utc));
        Assert.Throws<ArgumentNullException>(() => CronSchedule.Parse("* * * * *", (ScheduleZone)null!));
    }

    [Fact]
    public void Zone_text_overrides_the_default_zone()
    {
        var berlin = ScheduleZone.Parse("Europe/Berlin");

        var explicitZone = CronSchedule.Parse("0 12 * * *", "+05:00", berlin);
        var defaulted = CronSchedule.Parse("0 12 * * *", null, berlin);

        Assert.Equal("+05:00", explicitZone.Zone.Id);
        Assert.Equal(Instants.At("2026-01-01T07:00:00Z"), explicitZone.NextAfter(NewYear2026));
        Assert.Same(berlin, defaulted.Zone);
        Assert.Equal(Instants.At("2026-01-01T11:00:00Z"), defaulted.NextAfter(NewYear2026));
    }

    [Fact]
    public void Unknown_zone_text_is_invalid_timezone()
    {
        var error = Assert.Throws<NodeDbException>(() => CronSchedule.Parse("* * * * *", "Nowhere/City", ScheduleZone.Utc));

        Assert.Equal(ErrorCodes.InvalidTimeZone, error.Code);
        Assert.Contains("'Nowhere/City'", error.Message, StringComparison.Ordinal);
    }
}
