using NodeDb.Orleans.Grains.Sql.Text;

namespace NodeDb.Orleans.Grains.Ddl;

/// <summary>
/// Parses NodeDB's schedule DDL (CREATE/ALTER/DROP SCHEDULE, SHOW SCHEDULES, SHOW SCHEDULE HISTORY) from tokens,
/// and passes every other statement through as <see cref="OtherStatement"/>.
/// </summary>
/// <remarks>
/// Quotes, comments and nesting are understood, so a name containing <c>cron</c>, a body containing <c>AS</c>,
/// <c>SCOPE LOCAL</c> or <c>WITH (</c>, and newlines anywhere cannot confuse it (NodeDB's substring matching could).
/// Cron expressions and time zones are carried as written; the scheduler core validates them.
/// </remarks>
public static class DdlParser
{
    /// <summary>Splits a script at top-level <c>;</c> and parses each statement; a schedule body stays whole.</summary>
    /// <exception cref="NodeDbException">Code <c>syntax_error</c> or <c>invalid_definition</c>, naming the offending text and its line:column.</exception>
    public static IReadOnlyList<SqlStatement> ParseScript(string text) =>
        ParseWithPositions(text).Select(p => p.Statement).ToArray();

    /// <summary>Parses exactly one statement (a trailing <c>;</c> is allowed).</summary>
    /// <exception cref="NodeDbException">As <see cref="ParseScript"/>, and <c>syntax_error</c> for an empty text or more than one statement.</exception>
    public static SqlStatement Parse(string statement)
    {
        var parsed = ParseWithPositions(statement);
        return parsed.Count switch
        {
            0 => throw DdlCursor.Syntax("The statement is empty: expected a statement such as SHOW SCHEDULES."),
            1 => parsed[0].Statement,
            _ => throw DdlCursor.Syntax($"Expected one statement, found {parsed.Count}: the second starts at {parsed[1].Position}."),
        };
    }

    private static List<(SqlStatement Statement, SqlPosition Position)> ParseWithPositions(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var cursor = new DdlCursor(text, SqlLexer.Tokenize(text));
        var result = new List<(SqlStatement, SqlPosition)>();
        while (!cursor.AtEnd)
        {
            if (cursor.AcceptSymbol(";"))
            {
                continue;
            }

            var position = cursor.Current.Position;
            var statement = ScheduleStatementParser.IsScheduleStatement(cursor)
                ? ScheduleStatementParser.Parse(cursor)
                : ReadOther(cursor);
            result.Add((statement, position));
        }

        return result;
    }

    /// <summary>Reads up to the top-level ';', keeping mid-statement BEGIN … END (triggers, BEGIN ATOMIC) and CASE … END whole.</summary>
    private static OtherStatement ReadOther(DdlCursor c)
    {
        var t = c.Tokens;
        var start = c.Pos;
        var parens = 0;
        var blocks = 0;
        var i = start;
        for (; i < t.Count; i++)
        {
            var token = t[i];
            if (token.IsSymbol(";") && parens == 0 && blocks == 0)
            {
                break;
            }

            if (token.IsSymbol("("))
            {
                parens++;
            }
            else if (token.IsSymbol(")"))
            {
                parens = Math.Max(0, parens - 1);
            }
            else if (token.IsKeyword("CASE") || (token.IsKeyword("BEGIN") && i > start))
            {
                // BEGIN that starts a statement is transaction control, not a block.
                blocks++;
            }
            else if (token.IsKeyword("END") && blocks > 0)
            {
                // END IF / END LOOP close constructs that were never counted.
                if (i + 1 < t.Count && t[i + 1].IsAnyKeyword("IF", "LOOP"))
                {
                    i++;
                }
                else
                {
                    blocks--;
                }
            }
        }

        c.Pos = i;
        return new OtherStatement(c.Source[t[start].Position.Offset..t[i - 1].End]);
    }
}
