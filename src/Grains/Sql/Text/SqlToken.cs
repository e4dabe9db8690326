namespace NodeDb.Orleans.Grains.Sql.Text;

/// <summary>One lexical token of SQL text.</summary>
/// <param name="Kind">The lexical class.</param>
/// <param name="Text">The exact source text of the token, quotes included.</param>
/// <param name="Value">The meaning of the token: unescaped content for strings and quoted identifiers, else <paramref name="Text"/>.</param>
/// <param name="Position">Where the token starts.</param>
public readonly record struct SqlToken(SqlTokenKind Kind, string Text, string Value, SqlPosition Position)
{
    /// <summary>The offset just past the token's last character.</summary>
    public int End => Position.Offset + Text.Length;

    /// <summary>True for an unquoted identifier equal to <paramref name="keyword"/>, ignoring case.</summary>
    public bool IsKeyword(string keyword) =>
        Kind == SqlTokenKind.Identifier && string.Equals(Text, keyword, StringComparison.OrdinalIgnoreCase);

    /// <summary>True for an unquoted identifier equal to any of <paramref name="keywords"/>, ignoring case.</summary>
    public bool IsAnyKeyword(params ReadOnlySpan<string> keywords)
    {
        foreach (var keyword in keywords)
        {
            if (IsKeyword(keyword))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True for the punctuation or operator <paramref name="symbol"/>.</summary>
    public bool IsSymbol(string symbol) => Kind == SqlTokenKind.Symbol && Text == symbol;

    /// <summary>True for an identifier, quoted or not.</summary>
    public bool IsName => Kind is SqlTokenKind.Identifier or SqlTokenKind.QuotedIdentifier;

    /// <summary>The token as error messages quote it, with its position: <c>'FROM' at 2:7</c>.</summary>
    /// <remarks>A string literal or quoted identifier is shown with its own quotes only.</remarks>
    public string Describe() => Kind is SqlTokenKind.String or SqlTokenKind.QuotedIdentifier ? $"{Text} at {Position}" : $"'{Text}' at {Position}";
}
