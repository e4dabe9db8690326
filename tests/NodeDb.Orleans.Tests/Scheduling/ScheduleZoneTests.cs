using NodeDb.Orleans.Grains.Scheduling;

namespace NodeDb.Orleans.Tests.Scheduling;

/// <summary>NodeDB's CronTimezone tests (config/server/scheduler.rs), plus the IANA ids NodeDB refused and we accept.</summary>
public sealed class ScheduleZoneTests
{
    [Fact]
    public void Utc_is_the_default_zone_and_has_no_fixed_offset()
    {
        Assert.Equal("UTC", ScheduleZone.Utc.Id);
        Assert.Same(TimeZoneInfo.Utc, ScheduleZone.Utc.Zone);
        Assert.Null(ScheduleZone.Utc.FixedOffset);
    }

    [Fact]
    public void Positive_offset_parses_to_its_seconds()
    {
        var zone = ScheduleZone.Parse("+05:30");

        Assert.Equal(TimeSpan.FromSeconds(19800), zone.FixedOffset);
        Assert.Null(zone.Zone);
        Assert.Equal("+05:30", zone.Id);
    }

    [Fact]
    public void Negative_offset_parses_to_its_seconds()
    {
        var zone = ScheduleZone.Parse("-05:00");

        Assert.Equal(TimeSpan.FromSeconds(-18000), zone.FixedOffset);
        Assert.Equal("-05:00", zone.Id);
    }

    [Theory]
    [InlineData("+00:00")]
    [InlineData("-00:00")]
    public void Zero_offset_of_either_sign_is_utc_written_with_plus(string text)
    {
        var zone = ScheduleZone.Parse(text);

        Assert.Equal(TimeSpan.Zero, zone.FixedOffset);
        Assert.Equal("+00:00", zone.Id);
    }

    [Theory]
    [InlineData("+05:30", 5 * 60 + 30)]
    [InlineData("-08:00", -8 * 60)]
    [InlineData("+00:00", 0)]
    [InlineData("+18:00", 18 * 60)]
    [InlineData("-18:00", -18 * 60)]
    [InlineData("+12:45", 12 * 60 + 45)]
    public void Offset_round_trips_through_its_id(string text, int minutes)
    {
        var zone = ScheduleZone.Parse(text);
        var again = ScheduleZone.Parse(zone.Id);

        Assert.Equal(text, zone.Id);
        Assert.Equal(text, zone.ToString());
        Assert.Equal(TimeSpan.FromMinutes(minutes), zone.FixedOffset);
        Assert.Equal(zone.FixedOffset, again.FixedOffset);
        Assert.Equal(zone.Id, again.Id);
    }

    [Fact]
    public void Single_digit_hours_and_surrounding_blanks_are_normalised()
    {
        var zone = ScheduleZone.Parse("  +5:30 ");

        Assert.Equal("+05:30", zone.Id);
        Assert.Equal(TimeSpan.FromMinutes(330), zone.FixedOffset);
    }

    // NodeDB rejected every IANA name (IanaNotSupported); DESIGN §4 accepts them, with DST.
    [Theory]
    [InlineData("America/New_York", -5, -4)]
    [InlineData("Europe/Berlin", 1, 2)]
    [InlineData("Asia/Kolkata", 5.5, 5.5)]
    [InlineData("Australia/Sydney", 11, 10)]
    public void Iana_ids_are_accepted_with_their_dst_offsets(string id, double januaryHours, double julyHours)
    {
        var zone = ScheduleZone.Parse(id);

        Assert.Equal(id, zone.Id);
        Assert.Null(zone.FixedOffset);
        Assert.NotNull(zone.Zone);
        Assert.Equal(TimeSpan.FromHours(januaryHours), zone.ToLocal(Instants.At("2026-01-15T12:00:00Z")).Offset);
        Assert.Equal(TimeSpan.FromHours(julyHours), zone.ToLocal(Instants.At("2026-07-15T12:00:00Z")).Offset);
    }

    [Theory]
    [InlineData("UTC")]
    [InlineData("utc")]
    [InlineData("Etc/UTC")]
    [InlineData(" UTC ")]
    public void Utc_names_are_the_utc_zone(string text)
    {
        Assert.Same(ScheduleZone.Utc, ScheduleZone.Parse(text));
    }

    [Theory]
    [InlineData("GMT")]
    [InlineData("Etc/GMT")]
    public void Other_utc_aliases_from_tzdata_are_accepted_with_offset_zero(string text)
    {
        var zone = ScheduleZone.Parse(text);

        Assert.NotNull(zone.Zone);
        Assert.Equal(TimeSpan.Zero, zone.ToLocal(Instants.At("2026-07-15T12:00:00Z")).Offset);
    }

    [Theory]
    [InlineData("5h")]
    [InlineData("5:30")]
    [InlineData("05:30")]
    [InlineData("PST")]
    [InlineData("Mars/Olympus_Mons")]
    [InlineData("America/New_York/x")]
    [InlineData("Europe")] // a folder of the zoneinfo tree: .NET throws SecurityException for it
    [InlineData("Europe/")]
    [InlineData("leapseconds")] // a zoneinfo file that is not a zone: .NET throws InvalidTimeZoneException
    [InlineData("../etc/passwd")]
    public void Unknown_zone_names_are_invalid_timezone(string text)
    {
        var error = Assert.Throws<NodeDbException>(() => ScheduleZone.Parse(text));

        Assert.Equal(ErrorCodes.InvalidTimeZone, error.Code);
        Assert.Equal($"Time zone '{text}' is invalid: it is not a known IANA time zone id (for example 'Europe/Berlin', 'America/New_York') nor an offset '±HH:MM'.", error.Message);
    }

    [Theory]
    [InlineData("++05:00")]
    [InlineData("+05")]
    [InlineData("+0530")]
    [InlineData("+05:3")]
    [InlineData("+05:30:00")]
    [InlineData("-")]
    [InlineData("+:30")]
    [InlineData("+123:00")]
    [InlineData("+\u0660\u0665:\u0663\u0660")] // Arabic-Indic digits: \d would match them, int.Parse would not
    public void Malformed_offsets_are_invalid_timezone(string text)
    {
        var error = Assert.Throws<NodeDbException>(() => ScheduleZone.Parse(text));

        Assert.Equal(ErrorCodes.InvalidTimeZone, error.Code);
        Assert.Equal($"Time zone '{text}' is invalid: a fixed offset must look like '+05:30' or '-08:00' (sign, hours, colon, minutes).", error.Message);
    }

    [Theory]
    [InlineData("+25:00")]
    [InlineData("+18:01")]
    [InlineData("-18:01")]
    [InlineData("+24:00")]
    [InlineData("-99:59")]
    public void Offsets_beyond_eighteen_hours_are_out_of_range(string text)
    {
        var error = Assert.Throws<NodeDbException>(() => ScheduleZone.Parse(text));

        Assert.Equal(ErrorCodes.InvalidTimeZone, error.Code);
        Assert.Equal($"Time zone '{text}' is invalid: a fixed offset must lie between -18:00 and +18:00.", error.Message);
    }

    [Theory]
    [InlineData("+05:99", 99)]
    [InlineData("-05:60", 60)]
    public void Offset_minutes_beyond_59_are_rejected(string text, int minutes)
    {
        var error = Assert.Throws<NodeDbException>(() => ScheduleZone.Parse(text));

        Assert.Equal(ErrorCodes.InvalidTimeZone, error.Code);
        Assert.Equal($"Time zone '{text}' is invalid: the minutes ({minutes}) must be between 00 and 59.", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Empty_zone_is_invalid_timezone(string text)
    {
        var error = Assert.Throws<NodeDbException>(() => ScheduleZone.Parse(text));

        Assert.Equal(ErrorCodes.InvalidTimeZone, error.Code);
        Assert.StartsWith($"Time zone '{text}' is invalid: it is empty", error.Message);
    }

    [Fact]
    public void Null_zone_text_is_an_argument_error()
    {
        Assert.Throws<ArgumentNullException>(() => ScheduleZone.Parse(null!));
    }

    [Theory]
    [InlineData("+05:30", "2026-01-01T17:30:00+05:30")]
    [InlineData("-08:00", "2026-01-01T04:00:00-08:00")]
    [InlineData("+14:00", "2026-01-02T02:00:00+14:00")]
    // DateTimeOffset cannot carry more than ±14:00, so the instant is shown in UTC.
    [InlineData("+18:00", "2026-01-01T12:00:00+00:00")]
    [InlineData("-14:30", "2026-01-01T12:00:00+00:00")]
    public void ToLocal_keeps_the_instant_and_shows_the_fixed_offset_where_it_can(string zone, string expected)
    {
        var instant = Instants.At("2026-01-01T12:00:00Z");

        var local = ScheduleZone.Parse(zone).ToLocal(instant);

        Assert.Equal(instant, local);
        Assert.Equal(Instants.At(expected).Offset, local.Offset);
        Assert.Equal(Instants.At(expected).DateTime, local.DateTime);
    }
}
