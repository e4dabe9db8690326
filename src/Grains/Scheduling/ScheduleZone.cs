using System.Globalization;
using System.Security;
using System.Text.RegularExpressions;

namespace NodeDb.Orleans.Grains.Scheduling;

/// <summary>
/// The zone a schedule's cron is read in: an IANA zone (with DST) or NodeDB's fixed offset <c>±HH:MM</c>.
/// </summary>
/// <remarks>
/// Fixed offsets go up to ±18:00 as in NodeDB, beyond what <see cref="TimeZoneInfo"/> and
/// <see cref="DateTimeOffset"/> accept (±14:00). They are therefore evaluated as UTC shifted by the offset,
/// and instants are shown with the offset only where <see cref="DateTimeOffset"/> can carry it.
/// </remarks>
public sealed partial class ScheduleZone
{
    private static readonly TimeSpan MaxFixedOffset = TimeSpan.FromHours(18);
    private static readonly TimeSpan MaxDisplayOffset = TimeSpan.FromHours(14);

    private ScheduleZone(string id, TimeZoneInfo? zone, TimeSpan? fixedOffset)
    {
        Id = id;
        Zone = zone;
        FixedOffset = fixedOffset;
    }

    public static ScheduleZone Utc { get; } = new("UTC", TimeZoneInfo.Utc, null);

    /// <summary>The text the zone was given as (normalised for fixed offsets).</summary>
    public string Id { get; }

    /// <summary>The IANA zone; null for a fixed offset.</summary>
    public TimeZoneInfo? Zone { get; }

    /// <summary>The fixed offset; null for an IANA zone.</summary>
    public TimeSpan? FixedOffset { get; }

    /// <summary>Parses an IANA id (<c>Europe/Berlin</c>, <c>UTC</c>) or a fixed offset (<c>+05:30</c>, −18:00 to +18:00).</summary>
    /// <exception cref="NodeDbException">Code <c>invalid_timezone</c>, naming the text and the reason.</exception>
    public static ScheduleZone Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            throw Invalid(text, "it is empty; give an IANA zone such as 'Europe/Berlin' or an offset such as '+05:30'");
        }

        if (trimmed[0] is '+' or '-')
        {
            return ParseOffset(text, trimmed);
        }

        if (string.Equals(trimmed, "UTC", StringComparison.OrdinalIgnoreCase) || trimmed == "Etc/UTC")
        {
            return Utc;
        }

        try
        {
            return new ScheduleZone(trimmed, TimeZoneInfo.FindSystemTimeZoneById(trimmed), null);
        }
        // On Linux the id is a path under the zoneinfo directory: a folder name ("Europe") surfaces as a
        // SecurityException and an unreadable entry as an I/O error; all of them mean "not a zone".
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or SecurityException
                                      or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw Invalid(text, "it is not a known IANA time zone id (for example 'Europe/Berlin', 'America/New_York') nor an offset '±HH:MM'");
        }
    }

    /// <summary>Shows an instant in this zone, with the zone's offset at that instant.</summary>
    public DateTimeOffset ToLocal(DateTimeOffset instant)
    {
        if (Zone is not null)
        {
            return TimeZoneInfo.ConvertTime(instant, Zone);
        }

        var offset = FixedOffset!.Value;
        return offset.Duration() <= MaxDisplayOffset ? instant.ToOffset(offset) : instant.ToUniversalTime();
    }

    public override string ToString() => Id;

    private static ScheduleZone ParseOffset(string original, string trimmed)
    {
        var match = OffsetPattern().Match(trimmed);
        if (!match.Success)
        {
            throw Invalid(original, "a fixed offset must look like '+05:30' or '-08:00' (sign, hours, colon, minutes)");
        }

        var hours = int.Parse(match.Groups["h"].Value, CultureInfo.InvariantCulture);
        var minutes = int.Parse(match.Groups["m"].Value, CultureInfo.InvariantCulture);
        if (minutes > 59)
        {
            throw Invalid(original, $"the minutes ({minutes}) must be between 00 and 59");
        }

        var offset = new TimeSpan(hours, minutes, 0);
        if (offset > MaxFixedOffset)
        {
            throw Invalid(original, "a fixed offset must lie between -18:00 and +18:00");
        }

        if (match.Groups["s"].Value == "-")
        {
            offset = -offset;
        }

        var id = (offset < TimeSpan.Zero ? "-" : "+") + offset.Duration().ToString(@"hh\:mm", CultureInfo.InvariantCulture);
        return new ScheduleZone(id, null, offset);
    }

    private static NodeDbException Invalid(string text, string reason) =>
        new(ErrorCodes.InvalidTimeZone, $"Time zone '{text}' is invalid: {reason}.");

    // [0-9], not \d: \d matches any Unicode digit, which int.Parse then refuses with a FormatException.
    [GeneratedRegex(@"^(?<s>[+-])(?<h>[0-9]{1,2}):(?<m>[0-9]{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex OffsetPattern();
}
