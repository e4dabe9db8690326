namespace NodeDb.Orleans.Grains.Sql.Text;

/// <summary>A half-open range of token indexes, <c>[Start, End)</c>.</summary>
internal readonly record struct TokenRange(int Start, int End)
{
    public bool IsEmpty => End <= Start;
}

/// <summary>What <see cref="SqlBlockParser"/> found in one <c>BEGIN … END</c> block.</summary>
/// <param name="BeginIndex">The index of the outer <c>BEGIN</c>.</param>
/// <param name="EndIndex">The index of the <c>END</c> that closes it.</param>
/// <param name="TopLevel">The block's own statements, compound ones whole.</param>
/// <param name="SqlLeaves">Every plain SQL statement at any depth, in text order (what the guard and target inference read).</param>
/// <param name="IsProcedural">True when anything procedural was seen at any depth.</param>
internal sealed record SqlBlock(int BeginIndex, int EndIndex, IReadOnlyList<TokenRange> TopLevel, IReadOnlyList<TokenRange> SqlLeaves, bool IsProcedural);
