namespace NodeDb.Orleans.Grains.Sql.Text;

/// <summary>Finds the table one SQL statement writes to, from tokens (never from whitespace-split words).</summary>
internal static class WriteTargetFinder
{
    // After UPDATE these words mean "not a table": MERGE's and ON CONFLICT's UPDATE SET, triggers' UPDATE ON/OF.
    private static readonly string[] NotTableAfterUpdate = ["SET", "ON", "OF", "NOWAIT", "SKIP"];

    public static string? Find(IReadOnlyList<SqlToken> t, int start, int end)
    {
        var ctes = new HashSet<string>(StringComparer.Ordinal);
        for (var i = start; i < end; i++)
        {
            var at = i;
            if (CteList.TrySkip(t, ref at, end, ctes))
            {
                continue;
            }

            var nameIndex = NameIndexAfterWriteKeyword(t, i, end);
            if (nameIndex < 0)
            {
                continue;
            }

            var n = nameIndex;
            if (SqlNames.TryReadQualified(t, ref n, end, out var name) && !ctes.Contains(name))
            {
                return name;
            }
        }

        return null;
    }

    /// <summary>The index where the table name should start when <paramref name="i"/> is a write keyword, else -1.</summary>
    private static int NameIndexAfterWriteKeyword(IReadOnlyList<SqlToken> t, int i, int end)
    {
        var token = t[i];
        int next;
        if (token.IsKeyword("INSERT"))
        {
            next = SkipOrConflictClause(t, i + 1, end);
            return Expect(t, next, end, "INTO");
        }

        if (token.IsAnyKeyword("REPLACE", "UPSERT", "MERGE"))
        {
            return Expect(t, i + 1, end, "INTO");
        }

        if (token.IsKeyword("DELETE"))
        {
            return SkipOnly(t, Expect(t, i + 1, end, "FROM"), end);
        }

        if (token.IsKeyword("TRUNCATE"))
        {
            next = i + 1 < end && t[i + 1].IsKeyword("TABLE") ? i + 2 : i + 1;
            return SkipOnly(t, next, end);
        }

        if (token.IsKeyword("UPDATE"))
        {
            // SELECT … FOR [NO KEY] UPDATE locks rows; it does not write a table.
            if (i > 0 && t[i - 1].IsAnyKeyword("FOR", "KEY"))
            {
                return -1;
            }

            next = SkipOnly(t, SkipOrConflictClause(t, i + 1, end), end);
            return next >= 0 && next < end && !t[next].IsAnyKeyword(NotTableAfterUpdate) ? next : -1;
        }

        return -1;
    }

    /// <summary>SQLite's INSERT OR REPLACE / UPDATE OR IGNORE.</summary>
    private static int SkipOrConflictClause(IReadOnlyList<SqlToken> t, int i, int end) =>
        i + 1 < end && t[i].IsKeyword("OR") && t[i + 1].Kind == SqlTokenKind.Identifier ? i + 2 : i;

    private static int Expect(IReadOnlyList<SqlToken> t, int i, int end, string keyword) =>
        i < end && t[i].IsKeyword(keyword) ? i + 1 : -1;

    private static int SkipOnly(IReadOnlyList<SqlToken> t, int i, int end) =>
        i >= 0 && i < end && t[i].IsKeyword("ONLY") ? i + 1 : i;
}
