using System.Globalization;
using NodeDb.Orleans.Grains.Sql.Text;

namespace NodeDb.Orleans.Grains.Ddl;

/// <summary>Reads and checks the value of one schedule option.</summary>
internal static class OptionValues
{
    private const string DurationForms = "a positive duration such as '90s', '5m', '1h30m', '500ms', '00:05:00' or a number of seconds";

    /// <summary>An identifier or a quoted string, upper-cased.</summary>
    public static string ReadWord(DdlCursor cursor, string context, string expected)
    {
        if (cursor.AtEnd || cursor.Current.Kind is not (SqlTokenKind.Identifier or SqlTokenKind.String or SqlTokenKind.Number))
        {
            throw DdlCursor.Syntax($"Expected {expected} {context}, found {cursor.Found()}.");
        }

        var token = cursor.Current;
        cursor.Pos++;
        return (token.Kind == SqlTokenKind.String ? token.Value : token.Text).ToUpperInvariant();
    }

    public static OverlapPolicy ReadOverlap(DdlCursor cursor, string key)
    {
        const string expected = "ALLOW, SKIP, BUFFER_ONE or CANCEL_PREVIOUS";
        var token = cursor.AtEnd ? default : cursor.Current;
        return ReadWord(cursor, $"after {key} =", expected) switch
        {
            "ALLOW" => OverlapPolicy.Allow,
            "SKIP" => OverlapPolicy.Skip,
            "BUFFER_ONE" => OverlapPolicy.BufferOne,
            "CANCEL_PREVIOUS" => OverlapPolicy.CancelPrevious,
            _ => throw Bad(key, token, expected),
        };
    }

    public static MissedPolicy ReadMissed(DdlCursor cursor, string key)
    {
        const string expected = "SKIP, CATCH_UP or QUEUE";
        var token = cursor.AtEnd ? default : cursor.Current;
        return ReadWord(cursor, $"after {key} =", expected) switch
        {
            "SKIP" => MissedPolicy.Skip,
            "CATCH_UP" or "CATCHUP" => MissedPolicy.CatchUp,
            "QUEUE" => MissedPolicy.Queue,
            _ => throw Bad(key, token, expected),
        };
    }

    public static int ReadInt(DdlCursor cursor, string key, int minimum)
    {
        var expected = minimum == 0 ? "a whole number, 0 or more" : $"a whole number, {minimum} or more";
        var (text, position) = ReadNumberText(cursor, key, expected);
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value < minimum)
        {
            throw DdlCursor.Invalid($"{key} = {text} at {position} is invalid: expected {expected}.");
        }

        return value;
    }

    public static TimeSpan ReadDuration(DdlCursor cursor, string key)
    {
        string text;
        SqlPosition position;
        if (!cursor.AtEnd && cursor.Current.Kind == SqlTokenKind.String)
        {
            position = cursor.Current.Position;
            text = cursor.Current.Value;
            cursor.Pos++;
        }
        else
        {
            (text, position) = ReadNumberText(cursor, key, DurationForms);
        }

        var duration = DurationParser.TryParse(text);
        if (duration is not { } value || value <= TimeSpan.Zero)
        {
            var why = duration is null ? "not a duration" : "not positive";
            throw DdlCursor.Invalid($"{key} = '{text}' at {position} is {why}: expected {DurationForms}.");
        }

        return value;
    }

    public static string ReadTarget(DdlCursor cursor, string key)
    {
        if (!cursor.AtEnd && cursor.Current.Kind == SqlTokenKind.String)
        {
            return cursor.Tokens[cursor.Pos++].Value;
        }

        var index = cursor.Pos;
        if (!SqlNames.TryReadQualified(cursor.Tokens, ref index, cursor.Tokens.Count, out var name))
        {
            throw DdlCursor.Syntax($"Expected a collection name after {key} =, found {cursor.Found()}.");
        }

        cursor.Pos = index;
        return name;
    }

    public static DateTimeOffset ReadInstant(DdlCursor cursor, string key)
    {
        const string expected = "an ISO 8601 instant such as '2026-01-01T00:00:00Z' (UTC when no offset is given)";
        var position = cursor.AtEnd ? default : cursor.Current.Position;
        var text = cursor.ExpectString(expected, $"after {key} =");
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
        {
            throw DdlCursor.Invalid($"{key} = '{text}' at {position} is not an instant: expected {expected}.");
        }

        return instant.ToUniversalTime();
    }

    public static NodeDbException Bad(string key, SqlToken token, string expected) =>
        DdlCursor.Invalid($"{key} = {token.Text} at {token.Position} is not allowed: expected {expected}.");

    public static string Name(OverlapPolicy overlap) => overlap switch
    {
        OverlapPolicy.Allow => "ALLOW",
        OverlapPolicy.Skip => "SKIP",
        OverlapPolicy.BufferOne => "BUFFER_ONE",
        _ => "CANCEL_PREVIOUS",
    };

    /// <summary>A number with an optional sign, plus a unit written right after it (90s, 1h30m).</summary>
    private static (string Text, SqlPosition Position) ReadNumberText(DdlCursor cursor, string key, string expected)
    {
        var start = cursor.AtEnd ? default : cursor.Current;
        var negative = cursor.AtSymbol("-");
        if (negative)
        {
            cursor.Pos++;
        }

        if (cursor.AtEnd || cursor.Current.Kind != SqlTokenKind.Number)
        {
            throw DdlCursor.Syntax($"Expected {expected} after {key} =, found {cursor.Found()}.");
        }

        var end = cursor.Current.End;
        cursor.Pos++;
        while (!cursor.AtEnd && cursor.Current.Position.Offset == end && cursor.Current.Kind is SqlTokenKind.Identifier or SqlTokenKind.Number)
        {
            end = cursor.Current.End;
            cursor.Pos++;
        }

        return (cursor.Source[start.Position.Offset..end], start.Position);
    }
}
