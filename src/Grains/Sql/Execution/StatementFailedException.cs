namespace NodeDb.Orleans.Grains.Sql.Execution;

/// <summary>A database error tagged with the statement that raised it, so history can name it.</summary>
/// <remarks>The count is null where statements are split one at a time as they run (SQLite), so the total is not known.</remarks>
internal sealed class StatementFailedException : Exception
{
    public StatementFailedException(int index, int? count, string statement, Exception inner)
        : base(Describe(index, count, statement, inner), inner)
    {
        Index = index;
    }

    /// <summary>1-based position in the body.</summary>
    public int Index { get; }

    private static string Describe(int index, int? count, string statement, Exception inner)
    {
        var text = statement.ReplaceLineEndings(" ").Trim();
        if (text.Length > 120)
        {
            text = string.Concat(text.AsSpan(0, 117), "...");
        }

        var position = count is { } total ? $"statement {index} of {total}" : $"statement {index}";
        return $"{position} `{text}`: {SqlErrors.Message(inner)}";
    }
}
