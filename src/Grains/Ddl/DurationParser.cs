using System.Globalization;
using System.Text.RegularExpressions;

namespace NodeDb.Orleans.Grains.Ddl;

/// <summary>Reads durations written as <c>90s</c>, <c>5m</c>, <c>1h30m</c>, <c>500ms</c>, <c>1d</c>, <c>00:05:00</c> or a number of seconds.</summary>
public static partial class DurationParser
{
    /// <summary>Returns the duration, or null when <paramref name="text"/> is none of the accepted forms.</summary>
    public static TimeSpan? TryParse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            return null;
        }

        if (decimal.TryParse(trimmed, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds))
        {
            return seconds is > -10_000_000_000m and < 10_000_000_000m ? TimeSpan.FromTicks((long)(seconds * TimeSpan.TicksPerSecond)) : null;
        }

        if (trimmed.Contains(':', StringComparison.Ordinal))
        {
            return TimeSpan.TryParseExact(trimmed, ["c", @"hh\:mm\:ss", @"h\:mm\:ss", @"hh\:mm\:ss\.FFFFFFF"], CultureInfo.InvariantCulture, out var clock) ? clock : null;
        }

        var match = UnitsPattern().Match(trimmed.ToLowerInvariant());
        if (!match.Success)
        {
            return null;
        }

        var total = TimeSpan.Zero;
        var sign = match.Groups["sign"].Success ? -1 : 1;
        foreach (var (group, unit) in Units)
        {
            if (match.Groups[group].Success)
            {
                total += unit * long.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);
            }
        }

        return total * sign;
    }

    private static readonly (string Group, TimeSpan Unit)[] Units =
    [
        ("d", TimeSpan.FromDays(1)),
        ("h", TimeSpan.FromHours(1)),
        ("m", TimeSpan.FromMinutes(1)),
        ("s", TimeSpan.FromSeconds(1)),
        ("ms", TimeSpan.FromMilliseconds(1)),
    ];

    // Units in decreasing order, each at most once: "1h30m" yes, "30m1h" and "1h1h" no.
    [GeneratedRegex(@"^(?<sign>-)?(?=\d)(?:(?<d>\d{1,6})d)?(?:(?<h>\d{1,7})h)?(?:(?<m>\d{1,9})m(?!s))?(?:(?<s>\d{1,10})s)?(?:(?<ms>\d{1,12})ms)?$", RegexOptions.CultureInvariant)]
    private static partial Regex UnitsPattern();
}
