using NodeDb.Orleans.Grains.Sql.Text;

namespace NodeDb.Orleans.Grains.Sql.Execution;

/// <summary>How ad-hoc SQL (what the client sends that is not schedule DDL) becomes what an engine runs.</summary>
internal static class AdHocSql
{
    /// <summary>
    /// The statements PostgreSQL runs: the lexer splits them (it knows PostgreSQL's quotes, comments and dollar
    /// quoting); a procedural <c>BEGIN … END</c> block stays one server-side DO statement.
    /// </summary>
    public static IReadOnlyList<string> ForPostgres(string sql)
    {
        var body = Parse(sql, out var isBlock);
        if (!isBlock || !body.IsProcedural)
        {
            return body.Statements;
        }

        return [PlPgSqlBlock.Build(body)];
    }

    /// <summary>
    /// The text SQLite runs: the inside of a <c>BEGIN … END</c> block, else the text as sent. SQLite itself splits it
    /// (<see cref="Sqlite.SqliteStatementSplitter"/>); no lexer decides what reaches it as one statement.
    /// </summary>
    public static string ForSqlite(string sql)
    {
        if (!LooksLikeBlock(sql.Trim()))
        {
            return sql;
        }

        var body = Parse(sql, out _);
        return body.IsProcedural
            ? throw new NodeDbException(ErrorCodes.SqlError, $"SQL '{sql}' uses procedural statements, which only a PostgreSQL tenant database can run.")
            : body.InnerText;
    }

    private static SqlBody Parse(string sql, out bool isBlock)
    {
        var text = sql.Trim();
        isBlock = LooksLikeBlock(text);
        try
        {
            return SqlBody.Parse(isBlock ? text : "BEGIN\n" + text + "\nEND");
        }
        catch (NodeDbException e)
        {
            throw new NodeDbException(ErrorCodes.SqlError, e.Message);
        }
    }

    private static bool LooksLikeBlock(string text) =>
        text.StartsWith("BEGIN", StringComparison.OrdinalIgnoreCase)
        && text.TrimEnd(';', ' ', '\n', '\r', '\t').EndsWith("END", StringComparison.OrdinalIgnoreCase)
        && text.Length > 5 && char.IsWhiteSpace(text[5]);
}
