using NodeDb.Orleans.Grains.Sql.Text;

namespace NodeDb.Orleans.Grains.Ddl;

/// <summary>Reads and validates a schedule name: an identifier or a quoted identifier, lower-cased as NodeDB does.</summary>
internal static class ScheduleNameReader
{
    /// <summary>The longest name, as PostgreSQL's identifier limit.</summary>
    public const int MaxLength = 63;

    public static string Read(DdlCursor cursor, string context)
    {
        if (cursor.AtEnd || !cursor.Current.IsName)
        {
            throw DdlCursor.Syntax($"Expected a schedule name {context}, found {cursor.Found()}.");
        }

        var first = cursor.Current;
        string raw;
        if (first.Kind == SqlTokenKind.QuotedIdentifier)
        {
            raw = first.Value;
            cursor.Pos++;
        }
        else
        {
            raw = ReadJoined(cursor);
        }

        var name = raw.ToLowerInvariant();
        Validate(name, raw, first.Position);
        return name;
    }

    /// <summary>An unquoted name may contain '-' (nightly-cleanup): tokens written with no space between them form one name.</summary>
    private static string ReadJoined(DdlCursor cursor)
    {
        var start = cursor.Current.Position.Offset;
        var end = cursor.Current.End;
        cursor.Pos++;
        while (!cursor.AtEnd && cursor.Current.Position.Offset == end
               && (cursor.Current.IsSymbol("-") || cursor.Current.Kind is SqlTokenKind.Identifier or SqlTokenKind.Number))
        {
            end = cursor.Current.End;
            cursor.Pos++;
        }

        return cursor.Source[start..end];
    }

    public static void Validate(string name, string raw, SqlPosition position)
    {
        string? problem = null;
        if (name.Length > MaxLength)
        {
            problem = $"it is {name.Length} characters long, more than {MaxLength}";
        }
        else if (name.Contains('/', StringComparison.Ordinal))
        {
            problem = "it contains '/', which separates tenant and name in schedule keys";
        }
        else if (name.Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '-')))
        {
            problem = "it contains a character other than letters a-z, digits, '_' and '-'";
        }

        if (problem is not null)
        {
            throw DdlCursor.Invalid($"Schedule name '{raw}' at {position} is invalid: {problem}. A name is 1 to {MaxLength} characters among letters a-z, digits, '_' and '-'.");
        }
    }
}
