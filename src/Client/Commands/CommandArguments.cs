using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace NodeDb.Orleans.Client.Commands;

/// <summary>Arguments and value readers several commands share; each bad value is reported with the value and the reason.</summary>
public static class CommandArguments
{
    /// <summary>A schedule name, lower-cased as the DDL does for unquoted names.</summary>
    public static Argument<string> ScheduleName() => new("name")
    {
        Description = "The schedule's name",
        CustomParser = r =>
        {
            var raw = r.Tokens.Single().Value;
            var name = raw.ToLowerInvariant();
            if (name.Length is 0 or > 63 || name.Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '-')))
            {
                r.AddError($"Schedule name '{raw}' is invalid: a name is 1 to 63 characters among letters a-z, digits, '_' and '-'.");
            }

            return name;
        },
    };

    /// <summary>An ISO 8601 instant; without an offset it is read as UTC.</summary>
    public static Option<DateTimeOffset?> Instant(string name, string description, bool required) => new(name)
    {
        Description = description + " (ISO 8601, e.g. 2026-03-01T00:00:00Z; no offset means UTC)",
        HelpName = "INSTANT",
        Required = required,
        CustomParser = r => ParseInstant(r),
    };

    public static DateTimeOffset? TryInstant(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var value)
            ? value
            : null;

    public static DateTimeOffset? ParseInstant(ArgumentResult r)
    {
        var text = r.Tokens.Count == 1 ? r.Tokens[0].Value : "";
        if (TryInstant(text) is { } value)
        {
            return value;
        }

        r.AddError($"{Name(r)} '{text}' is invalid: expected an ISO 8601 instant such as 2026-03-01T00:00:00Z or 2026-03-01T02:00:00+01:00.");
        return null;
    }

    /// <summary>A whole number within bounds, the bad value and the bounds named on error.</summary>
    public static Option<int> Int(string name, string description, int min, int max, int fallback) => new(name)
    {
        Description = $"{description} ({min} to {max})",
        HelpName = "N",
        DefaultValueFactory = _ => fallback,
        CustomParser = r =>
        {
            var text = r.Tokens.Count == 1 ? r.Tokens[0].Value : "";
            if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max)
            {
                return n;
            }

            r.AddError($"{Name(r)} '{text}' is invalid: expected a whole number from {min} to {max}.");
            return fallback;
        },
    };

    /// <summary>A non-negative 64-bit index (Raft commit or applied index).</summary>
    public static Option<long> Index(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "N",
        Required = true,
        CustomParser = r =>
        {
            var text = r.Tokens.Count == 1 ? r.Tokens[0].Value : "";
            if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                return n;
            }

            r.AddError($"{Name(r)} '{text}' is invalid: expected a whole number, 0 or more.");
            return 0;
        },
    };

    private static string Name(ArgumentResult r) => r.Parent is OptionResult o ? o.Option.Name : r.Argument.Name;
}
