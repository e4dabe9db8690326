using System.Globalization;

namespace NodeDb.Orleans.Tests.Scheduling;

/// <summary>Instant helpers: NodeDB's tests speak in minutes since the epoch and `now` in seconds.</summary>
internal static class Instants
{
    /// <summary>The instant of NodeDB's minute number <paramref name="minute"/>.</summary>
    public static DateTimeOffset Minute(long minute) => DateTimeOffset.FromUnixTimeSeconds(minute * 60);

    public static DateTimeOffset Seconds(long seconds) => DateTimeOffset.FromUnixTimeSeconds(seconds);

    public static DateTimeOffset SecondsAndMillis(long seconds, int milliseconds) =>
        DateTimeOffset.FromUnixTimeSeconds(seconds).AddMilliseconds(milliseconds);

    /// <summary>Parses an ISO 8601 instant such as <c>2026-03-29T01:00:00Z</c> or <c>2026-03-29T03:00:00+02:00</c>.</summary>
    public static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
}
