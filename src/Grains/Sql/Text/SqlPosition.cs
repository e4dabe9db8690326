namespace NodeDb.Orleans.Grains.Sql.Text;

/// <summary>Where a token starts in the source text: a zero-based offset and a one-based line and column.</summary>
public readonly record struct SqlPosition(int Offset, int Line, int Column)
{
    /// <summary><c>line:column</c>, the form every error message uses.</summary>
    public override string ToString() => $"{Line}:{Column}";
}
