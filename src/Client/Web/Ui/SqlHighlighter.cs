using System.Collections.Frozen;
using System.Text;

namespace NodeDb.Orleans.Client.Web.Ui;

/// <summary>
/// Highlights SQL on the server: the text is cut into tokens (comments, strings, quoted names, numbers, words) and each
/// is HTML-encoded on its own inside a <c>&lt;span class="sql-…"&gt;</c>, so the page needs no script and a hostile body
/// is still only text. Every character of the input is kept, in order: the result reads back as the body itself.
/// </summary>
/// <remarks>
/// A display aid, not a parser: the silo's parser decides what a body means. An unterminated string or comment runs to
/// the end of the text, as the database would read it.
/// </remarks>
public static class SqlHighlighter
{
    private static readonly FrozenSet<string> Keywords = new[]
    {
        "ALL", "ALTER", "AND", "AS", "ASC", "BEGIN", "BETWEEN", "BY", "CASE", "CAST", "COMMIT", "CONFLICT", "CONTINUE", "CREATE",
        "CROSS", "DECLARE", "DEFAULT", "DELETE", "DESC", "DISTINCT", "DO", "DROP", "ELSE", "ELSEIF", "ELSIF", "END", "EXCEPT",
        "EXCEPTION", "EXISTS", "EXIT", "FALSE", "FETCH", "FOR", "FROM", "FULL", "GROUP", "HAVING", "IF", "IN", "INDEX", "INNER",
        "INSERT", "INTERSECT", "INTERVAL", "INTO", "IS", "JOIN", "KEY", "LEFT", "LIKE", "LIMIT", "LOOP", "NOT", "NOTHING", "NULL",
        "OFFSET", "ON", "OR", "ORDER", "OUTER", "PERFORM", "PRIMARY", "RAISE", "RECURSIVE", "REFERENCES", "REPLACE", "RETURN",
        "RETURNING", "RIGHT", "ROLLBACK", "SELECT", "SET", "TABLE", "THEN", "TRUE", "UNION", "UPDATE", "USING", "VALUES", "WHEN",
        "WHERE", "WHILE", "WITH",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>The text as encoded HTML with highlighting spans (for inside <c>&lt;pre&gt;&lt;code&gt;</c>).</summary>
    public static string Html(string? sql)
    {
        var b = new StringBuilder((sql?.Length ?? 0) * 2);
        foreach (var (cls, text) in Tokens(sql))
        {
            if (cls is null)
            {
                b.Append(Ui.Html.E(text));
            }
            else
            {
                b.Append("<span class=\"").Append(cls).Append("\">").Append(Ui.Html.E(text)).Append("</span>");
            }
        }

        return b.ToString();
    }

    /// <summary>
    /// The text cut into pieces, each with its class (<c>sql-k</c> keyword, <c>sql-s</c> string, <c>sql-q</c> quoted name,
    /// <c>sql-n</c> number, <c>sql-c</c> comment) or null for plain text; the pieces joined are the text.
    /// </summary>
    public static IEnumerable<(string? Class, string Text)> Tokens(string? sql)
    {
        if (string.IsNullOrEmpty(sql))
        {
            yield break;
        }

        var i = 0;
        while (i < sql.Length)
        {
            var start = i;
            var c = sql[i];
            string? cls;
            if (c == '-' && At(sql, i + 1, '-'))
            {
                i = sql.IndexOf('\n', i) is var nl and >= 0 ? nl : sql.Length;
                cls = "sql-c";
            }
            else if (c == '/' && At(sql, i + 1, '*'))
            {
                i = sql.IndexOf("*/", i + 2, StringComparison.Ordinal) is var close and >= 0 ? close + 2 : sql.Length;
                cls = "sql-c";
            }
            else if (c is '\'' or '"' or '`')
            {
                i = EndOfQuoted(sql, i, c);
                cls = c == '\'' ? "sql-s" : "sql-q";
            }
            else if (c == '$' && DollarTag(sql, i) is { } tag)
            {
                i = sql.IndexOf(tag, i + tag.Length, StringComparison.Ordinal) is var end and >= 0 ? end + tag.Length : sql.Length;
                cls = "sql-s";
            }
            else if (char.IsAsciiDigit(c))
            {
                while (i < sql.Length && (char.IsAsciiLetterOrDigit(sql[i]) || sql[i] == '.' || sql[i] == '_'))
                {
                    i++;
                }

                cls = "sql-n";
            }
            else if (char.IsLetter(c) || c == '_')
            {
                while (i < sql.Length && (char.IsLetterOrDigit(sql[i]) || sql[i] is '_' or '$'))
                {
                    i++;
                }

                cls = Keywords.Contains(sql[start..i]) ? "sql-k" : null;
            }
            else
            {
                // Plain characters run together, so the pieces stay few.
                while (++i < sql.Length && !IsTokenStart(sql, i))
                {
                }

                cls = null;
            }

            yield return (cls, sql[start..i]);
        }
    }

    private static bool IsTokenStart(string s, int i)
    {
        var c = s[i];
        return char.IsLetterOrDigit(c) || c is '_' or '\'' or '"' or '`' or '$'
            || (c == '-' && At(s, i + 1, '-')) || (c == '/' && At(s, i + 1, '*'));
    }

    private static bool At(string s, int i, char c) => i < s.Length && s[i] == c;

    /// <summary>Just past the closing quote; a doubled quote stays inside.</summary>
    private static int EndOfQuoted(string s, int i, char quote)
    {
        for (var j = i + 1; j < s.Length; j++)
        {
            if (s[j] != quote)
            {
                continue;
            }

            if (At(s, j + 1, quote))
            {
                j++;
                continue;
            }

            return j + 1;
        }

        return s.Length;
    }

    /// <summary>The opening <c>$tag$</c> (or <c>$$</c>) at <paramref name="i"/>, or null for a parameter such as <c>$1</c>.</summary>
    private static string? DollarTag(string s, int i)
    {
        var j = i + 1;
        while (j < s.Length && (char.IsAsciiLetter(s[j]) || s[j] == '_' || (j > i + 1 && char.IsAsciiDigit(s[j]))))
        {
            j++;
        }

        return At(s, j, '$') ? s[i..(j + 1)] : null;
    }
}
