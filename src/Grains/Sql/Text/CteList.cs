namespace NodeDb.Orleans.Grains.Sql.Text;

/// <summary>Reads a <c>WITH [RECURSIVE] name [(cols)] AS [[NOT] MATERIALIZED] (…), …</c> list.</summary>
internal static class CteList
{
    /// <summary>
    /// When <paramref name="index"/> is at WITH and a CTE list follows, moves past it, adds the CTE names to
    /// <paramref name="names"/> and returns true; otherwise leaves <paramref name="index"/> alone and returns false.
    /// </summary>
    public static bool TrySkip(IReadOnlyList<SqlToken> t, ref int index, int limit, ISet<string> names)
    {
        if (index >= limit || !t[index].IsKeyword("WITH"))
        {
            return false;
        }

        var i = index + 1;
        if (i < limit && t[i].IsKeyword("RECURSIVE"))
        {
            i++;
        }

        var found = new List<string>();
        while (true)
        {
            if (i >= limit || !t[i].IsName)
            {
                return false;
            }

            found.Add(SqlNames.Normalize(t[i]));
            i++;
            if (i < limit && t[i].IsSymbol("(") && !TrySkipParens(t, ref i, limit))
            {
                return false;
            }

            if (i >= limit || !t[i].IsKeyword("AS"))
            {
                return false;
            }

            i++;
            if (i < limit && t[i].IsKeyword("NOT"))
            {
                i++;
            }

            if (i < limit && t[i].IsKeyword("MATERIALIZED"))
            {
                i++;
            }

            if (i >= limit || !t[i].IsSymbol("(") || !TrySkipParens(t, ref i, limit))
            {
                return false;
            }

            if (i < limit && t[i].IsSymbol(","))
            {
                i++;
                continue;
            }

            break;
        }

        foreach (var name in found)
        {
            names.Add(name);
        }

        index = i;
        return true;
    }

    /// <summary>At '(' moves past the matching ')'.</summary>
    public static bool TrySkipParens(IReadOnlyList<SqlToken> t, ref int index, int limit)
    {
        var depth = 0;
        for (var i = index; i < limit; i++)
        {
            if (t[i].IsSymbol("("))
            {
                depth++;
            }
            else if (t[i].IsSymbol(")") && --depth == 0)
            {
                index = i + 1;
                return true;
            }
        }

        return false;
    }
}
