using System.Globalization;
using NodeDb.Orleans.Grains.Sql.Text;

namespace NodeDb.Orleans.Grains.Ddl;

/// <summary>Reads <c>(KEY = value, …)</c>; every key is known, given once, and every value checked.</summary>
internal static class ScheduleOptionsParser
{
    private const string Keys = "ALLOW_OVERLAP, OVERLAP, MISSED, QUEUE_CAP, TIMEOUT, RETRIES, TARGET, START or END";
    private static readonly HashSet<string> KnownKeys = ["ALLOW_OVERLAP", "OVERLAP", "MISSED", "QUEUE_CAP", "TIMEOUT", "RETRIES", "TARGET", "START", "END"];

    public static ScheduleOptions Read(DdlCursor cursor, string context)
    {
        var open = cursor.ExpectSymbol("(", context);
        if (cursor.AtSymbol(")"))
        {
            throw DdlCursor.Syntax($"The option list at {open.Position} is empty: write ({Keys} = value, …) or leave it out.");
        }

        var seen = new Dictionary<string, SqlToken>(StringComparer.Ordinal);
        var options = new ScheduleOptions();
        bool? allowOverlap = null;
        while (true)
        {
            if (cursor.AtEnd || cursor.Current.Kind != SqlTokenKind.Identifier)
            {
                throw DdlCursor.Syntax($"Expected an option name ({Keys}) in the list at {open.Position}, found {cursor.Found()}.");
            }

            var keyToken = cursor.Current;
            var key = keyToken.Text.ToUpperInvariant();
            if (!KnownKeys.Contains(key))
            {
                throw keyToken.IsKeyword("AS")
                    ? DdlCursor.Syntax($"The option list at {open.Position} is not closed: expected ')' before {keyToken.Describe()}.")
                    : DdlCursor.Syntax($"Unknown option {keyToken.Describe()}: the options are {Keys}.");
            }

            if (seen.TryGetValue(key, out var previous))
            {
                throw DdlCursor.Invalid($"Option {key} is given twice, at {previous.Position} and at {keyToken.Position}: give each option once.");
            }

            seen[key] = keyToken;
            cursor.Pos++;
            cursor.ExpectSymbol("=", $"after option {key}");
            var valueToken = cursor.AtEnd ? keyToken : cursor.Current;
            switch (key)
            {
                case "ALLOW_OVERLAP":
                    allowOverlap = OptionValues.ReadWord(cursor, "after ALLOW_OVERLAP =", "true or false") switch
                    {
                        "TRUE" => true,
                        "FALSE" => false,
                        _ => throw OptionValues.Bad(key, valueToken, "true or false"),
                    };
                    break;
                case "OVERLAP":
                    options = options with { Overlap = OptionValues.ReadOverlap(cursor, key) };
                    break;
                case "MISSED":
                    options = options with { Missed = OptionValues.ReadMissed(cursor, key) };
                    break;
                case "QUEUE_CAP":
                    options = options with { QueueCap = OptionValues.ReadInt(cursor, key, minimum: 1) };
                    break;
                case "RETRIES":
                    options = options with { Retries = OptionValues.ReadInt(cursor, key, minimum: 0) };
                    break;
                case "TIMEOUT":
                    options = options with { Timeout = OptionValues.ReadDuration(cursor, key) };
                    break;
                case "TARGET":
                    options = options with { Target = OptionValues.ReadTarget(cursor, key) };
                    break;
                case "START":
                    options = options with { StartAt = OptionValues.ReadInstant(cursor, key) };
                    break;
                case "END":
                    options = options with { EndAt = OptionValues.ReadInstant(cursor, key) };
                    break;
                default:
                    throw new InvalidOperationException($"Option {key} is known but not handled.");
            }

            if (cursor.AcceptSymbol(")"))
            {
                break;
            }

            cursor.ExpectSymbol(",", $"or ')' after the value of {key} in the option list at {open.Position}");
        }

        return Reconcile(options, allowOverlap, seen);
    }

    private static ScheduleOptions Reconcile(ScheduleOptions options, bool? allowOverlap, Dictionary<string, SqlToken> seen)
    {
        if (allowOverlap is { } allow)
        {
            // ALLOW_OVERLAP = false only says "no overlap"; OVERLAP may refine it to SKIP, BUFFER_ONE or CANCEL_PREVIOUS.
            if (options.Overlap is { } overlap && (overlap == OverlapPolicy.Allow) != allow)
            {
                throw DdlCursor.Invalid(
                    $"ALLOW_OVERLAP = {(allow ? "true" : "false")} at {seen["ALLOW_OVERLAP"].Position} contradicts OVERLAP = {OptionValues.Name(overlap)} at {seen["OVERLAP"].Position}: give only OVERLAP, or make them agree (true goes with ALLOW, false with SKIP, BUFFER_ONE or CANCEL_PREVIOUS).");
            }

            options = options with { Overlap = options.Overlap ?? (allow ? OverlapPolicy.Allow : OverlapPolicy.Skip) };
        }

        if (options is { StartAt: { } start, EndAt: { } end } && start > end)
        {
            throw DdlCursor.Invalid(
                $"START = '{start.ToString("O", CultureInfo.InvariantCulture)}' at {seen["START"].Position} is after END = '{end.ToString("O", CultureInfo.InvariantCulture)}' at {seen["END"].Position}: no occurrence could fire.");
        }

        return options;
    }
}
