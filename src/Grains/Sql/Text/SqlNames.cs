namespace NodeDb.Orleans.Grains.Sql.Text;

/// <summary>Reads object names from tokens with PostgreSQL's case rules.</summary>
public static class SqlNames
{
    /// <summary>
    /// Reads <c>name</c> or <c>schema.name</c> starting at <paramref name="index"/>: unquoted parts are lower-cased,
    /// quoted parts kept exactly. On success <paramref name="index"/> moves past the name.
    /// </summary>
    public static bool TryReadQualified(IReadOnlyList<SqlToken> tokens, ref int index, int limit, out string name)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        name = "";
        var i = index;
        if (i >= limit || !tokens[i].IsName)
        {
            return false;
        }

        var parts = new List<string> { Normalize(tokens[i]) };
        i++;
        while (i + 1 < limit && tokens[i].IsSymbol(".") && tokens[i + 1].IsName)
        {
            parts.Add(Normalize(tokens[i + 1]));
            i += 2;
        }

        name = string.Join('.', parts);
        index = i;
        return true;
    }

    /// <summary>An identifier's meaning: an unquoted one lower-cased, a quoted one as written.</summary>
    public static string Normalize(SqlToken token) =>
        token.Kind == SqlTokenKind.QuotedIdentifier ? token.Value : token.Text.ToLowerInvariant();
}
