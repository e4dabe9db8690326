namespace NodeDb.Orleans.Grains.Sql.Text;

/// <summary>A schedule body, <c>BEGIN stmt; stmt; … END</c>, taken apart by the SQL lexer.</summary>
/// <remarks>
/// Splitting respects quotes, dollar quotes, comments and nesting (BEGIN … END, CASE … END, IF … END IF,
/// LOOP … END LOOP), so no statement is cut at an inner <c>;</c>. Parsing is structural only: statements
/// are delimited, not validated; the database reports SQL errors when the body runs.
/// </remarks>
public sealed class SqlBody
{
    /// <summary>How deep blocks, IF, CASE and loops may nest in a body (a deeper one is refused, naming this limit).</summary>
    public const int MaxNestingDepth = 64;

    private readonly IReadOnlyList<SqlToken> _tokens;
    private readonly IReadOnlyList<TokenRange> _sqlLeaves;
    private readonly string _source;

    private SqlBody(string source, IReadOnlyList<SqlToken> tokens, SqlBlock block)
    {
        _source = source;
        _tokens = tokens;
        _sqlLeaves = block.SqlLeaves;
        var begin = tokens[block.BeginIndex];
        var end = tokens[block.EndIndex];
        Text = source[begin.Position.Offset..end.End];
        InnerText = source[begin.End..end.Position.Offset].Trim();
        Statements = block.TopLevel.Select(TextOf).ToArray();
        IsProcedural = block.IsProcedural;
    }

    /// <summary>The whole block, from its <c>BEGIN</c> to its <c>END</c>, without a trailing <c>;</c>.</summary>
    public string Text { get; }

    /// <summary>The text between the outer <c>BEGIN</c> and <c>END</c>.</summary>
    public string InnerText { get; }

    /// <summary>The top-level statements of the block, without their trailing semicolons.</summary>
    /// <remarks>A compound statement (IF … END IF, a loop, a nested block, the EXCEPTION section) is one entry.</remarks>
    public IReadOnlyList<string> Statements { get; }

    /// <summary>True when the block uses procedural statements (DECLARE, IF, LOOP, WHILE, FOR, RAISE, RETURN, EXCEPTION WHEN, <c>:=</c>, nested blocks).</summary>
    public bool IsProcedural { get; }

    /// <summary>Every plain SQL statement of the block at any depth, in text order (what the body guard checks).</summary>
    internal IEnumerable<(IReadOnlyList<SqlToken> Tokens, string Text)> SqlStatements =>
        _sqlLeaves.Select(r => ((IReadOnlyList<SqlToken>)Slice(r), TextOf(r)));

    /// <summary>Parses a body: <c>BEGIN … END</c> with an optional trailing <c>;</c>, any case, any whitespace.</summary>
    /// <exception cref="NodeDbException">
    /// Code <c>syntax_error</c> when it is not a <c>BEGIN … END</c> block (including <c>BEGIN TRANSACTION</c> and <c>BEGIN;</c>),
    /// a quote, comment or nested construct is unterminated, or text follows the closing END;
    /// code <c>body_rejected</c> when it contains transaction control (COMMIT, ROLLBACK, SAVEPOINT …).
    /// </exception>
    public static SqlBody Parse(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var tokens = SqlLexer.Tokenize(body);
        var block = SqlBlockParser.ParseBlock(tokens, 0, tokens.Count);
        var next = block.EndIndex + 1;
        if (next < tokens.Count && tokens[next].IsSymbol(";"))
        {
            next++;
        }

        if (next < tokens.Count)
        {
            throw new NodeDbException(ErrorCodes.SyntaxError,
                $"Unexpected {tokens[next].Describe()} after the END at {tokens[block.EndIndex].Position} that closes the body: nothing may follow END except one ';'.");
        }

        return new SqlBody(body, tokens, block);
    }

    /// <summary>Builds a body from a block already read out of a larger text (the DDL parser's <c>AS BEGIN … END</c>).</summary>
    internal static SqlBody FromBlock(string source, IReadOnlyList<SqlToken> tokens, SqlBlock block) => new(source, tokens, block);

    /// <summary>
    /// The first table the body writes to: the name after INSERT INTO, UPDATE, DELETE FROM, MERGE INTO, REPLACE INTO,
    /// UPSERT INTO or TRUNCATE, in text order. Unquoted names are lower-cased, quoted ones kept exactly, a schema kept
    /// (<c>s.t</c>); names of the statement's CTEs are skipped. Null when the body writes nothing.
    /// </summary>
    public string? InferTargetCollection()
    {
        foreach (var leaf in _sqlLeaves)
        {
            var target = WriteTargetFinder.Find(_tokens, leaf.Start, leaf.End);
            if (target is not null)
            {
                return target;
            }
        }

        return null;
    }

    /// <summary>The statements without the outer BEGIN/END as one batch: each ends with <c>;</c>, one per line.</summary>
    /// <remarks>For a plain-SQL body this is what a database that runs multi-statement text executes; a procedural body needs a procedural engine instead.</remarks>
    public string ToBatch() => string.Concat(Statements.Select(s => s + ";\n")).TrimEnd('\n');

    private SqlToken[] Slice(TokenRange range) => _tokens.Skip(range.Start).Take(range.End - range.Start).ToArray();

    private string TextOf(TokenRange range) =>
        _source[_tokens[range.Start].Position.Offset.._tokens[range.End - 1].End];
}
