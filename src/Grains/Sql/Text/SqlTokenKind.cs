namespace NodeDb.Orleans.Grains.Sql.Text;

/// <summary>The lexical class of a <see cref="SqlToken"/>.</summary>
public enum SqlTokenKind
{
    /// <summary>An unquoted word; keywords are identifiers too, told apart with <see cref="SqlToken.IsKeyword(string)"/>.</summary>
    Identifier,

    /// <summary>A <c>"quoted"</c> (or <c>`backquoted`</c>) identifier; <see cref="SqlToken.Value"/> has the quotes removed.</summary>
    QuotedIdentifier,

    /// <summary>A numeric literal such as <c>42</c>, <c>1.5</c> or <c>2e10</c>.</summary>
    Number,

    /// <summary>A string literal: <c>'…'</c>, <c>E'…'</c>, <c>$$…$$</c> or <c>$tag$…$tag$</c>; <see cref="SqlToken.Value"/> is unescaped.</summary>
    String,

    /// <summary>A positional or named parameter such as <c>$1</c>.</summary>
    Parameter,

    /// <summary>Punctuation or an operator: <c>;</c>, <c>(</c>, <c>,</c>, <c>:=</c>, <c>::</c>, <c>&lt;=</c> …</summary>
    Symbol,
}
