namespace NodeDb.Orleans.Grains.Sql.Text;

/// <summary>NodeDB's rule: a top-level <c>SELECT *</c> with a FROM and nothing that bounds it is refused.</summary>
/// <remarks>
/// A SELECT is refused when every projection item is <c>*</c> or <c>t.*</c>, it has a FROM, it is not a set operation
/// (UNION, INTERSECT, EXCEPT), and none of WHERE, LIMIT, OFFSET, FETCH, GROUP BY or HAVING appears at its own level
/// (a clause inside a subquery does not bound the outer select). A leading WITH list is skipped. Every plain SQL
/// statement is checked, including those inside IF, loops, nested blocks and the query of a FOR loop.
/// </remarks>
public static class BodyGuard
{
    private static readonly string[] BoundingClauses = ["WHERE", "LIMIT", "OFFSET", "FETCH", "GROUP", "HAVING"];
    private static readonly string[] SetOperators = ["UNION", "INTERSECT", "EXCEPT"];
    private const int QuoteLimit = 120;

    /// <summary>Returns null when the body is acceptable, else a message that names the statement and says what to add.</summary>
    public static string? Check(SqlBody body)
    {
        ArgumentNullException.ThrowIfNull(body);
        foreach (var (tokens, text) in body.SqlStatements)
        {
            if (IsUnboundedSelectStar(tokens))
            {
                var quoted = text.Length <= QuoteLimit ? text : text[..QuoteLimit] + "…";
                return $"Statement '{quoted}' at {tokens[0].Position} selects every column of every row (SELECT * with a FROM and no WHERE, LIMIT, OFFSET, FETCH, GROUP BY or HAVING), an unbounded scan on every fire: add a WHERE, LIMIT, OFFSET, FETCH, GROUP BY or HAVING clause, or name the columns.";
            }
        }

        return null;
    }

    private static bool IsUnboundedSelectStar(IReadOnlyList<SqlToken> t)
    {
        var i = 0;
        CteList.TrySkip(t, ref i, t.Count, new HashSet<string>());
        if (i >= t.Count || !t[i].IsKeyword("SELECT"))
        {
            return false;
        }

        var topLevel = TopLevelIndexes(t, i);
        if (topLevel.Any(k => t[k].IsAnyKeyword(SetOperators)))
        {
            return false;
        }

        var from = topLevel.FirstOrDefault(k => t[k].IsAnyKeyword("FROM", "INTO"), -1);
        if (from < 0 || !t[from].IsKeyword("FROM") && !topLevel.Any(k => k > from && t[k].IsKeyword("FROM")))
        {
            return false;
        }

        var projectionStart = SkipSetQuantifier(t, i + 1);
        if (!ProjectionIsOnlyStars(t, projectionStart, from))
        {
            return false;
        }

        return !topLevel.Any(k => k > from && t[k].IsAnyKeyword(BoundingClauses));
    }

    /// <summary>Indexes of the tokens at parenthesis depth zero, from <paramref name="start"/> on.</summary>
    private static List<int> TopLevelIndexes(IReadOnlyList<SqlToken> t, int start)
    {
        var result = new List<int>();
        var depth = 0;
        for (var k = start; k < t.Count; k++)
        {
            if (t[k].IsSymbol("("))
            {
                depth++;
            }
            else if (t[k].IsSymbol(")"))
            {
                depth--;
            }
            else if (depth == 0)
            {
                result.Add(k);
            }
        }

        return result;
    }

    private static int SkipSetQuantifier(IReadOnlyList<SqlToken> t, int i)
    {
        if (i < t.Count && t[i].IsKeyword("ALL"))
        {
            return i + 1;
        }

        if (i < t.Count && t[i].IsKeyword("DISTINCT"))
        {
            i++;
            if (i < t.Count && t[i].IsKeyword("ON") && i + 1 < t.Count && t[i + 1].IsSymbol("("))
            {
                i++;
                CteList.TrySkipParens(t, ref i, t.Count);
            }
        }

        return i;
    }

    /// <summary>True when the items in [start, end) are all <c>*</c> or <c>name.*</c> (and there is at least one).</summary>
    private static bool ProjectionIsOnlyStars(IReadOnlyList<SqlToken> t, int start, int end)
    {
        if (start >= end)
        {
            return false;
        }

        var itemStart = start;
        for (var k = start; k <= end; k++)
        {
            if (k < end && !t[k].IsSymbol(","))
            {
                continue;
            }

            if (!IsStar(t, itemStart, k))
            {
                return false;
            }

            itemStart = k + 1;
        }

        return true;
    }

    private static bool IsStar(IReadOnlyList<SqlToken> t, int start, int end)
    {
        if (end - start == 1)
        {
            return t[start].IsSymbol("*");
        }

        // name(.name)*.*
        if (end - start < 3 || (end - start) % 2 == 0 || !t[end - 1].IsSymbol("*"))
        {
            return false;
        }

        for (var k = start; k < end - 1; k += 2)
        {
            if (!t[k].IsName || !t[k + 1].IsSymbol("."))
            {
                return false;
            }
        }

        return true;
    }
}
