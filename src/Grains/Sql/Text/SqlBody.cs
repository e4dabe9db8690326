namespace NodeDb.Orleans.Grains.Sql.Text;

/// <summary>A schedule body, <c>BEGIN stmt; stmt; … END</c>, taken apart by the SQL lexer.</summary>
/// <remarks>STUB: a naive placeholder with the final API; replaced by the lexer-based implementation.</remarks>
public sealed class SqlBody
{
    private SqlBody(string innerText, IReadOnlyList<string> statements, bool isProcedural)
    {
        InnerText = innerText;
        Statements = statements;
        IsProcedural = isProcedural;
    }

    /// <summary>The text between the outer <c>BEGIN</c> and <c>END</c>.</summary>
    public string InnerText { get; }

    /// <summary>The top-level statements of the block, without their trailing semicolons.</summary>
    public IReadOnlyList<string> Statements { get; }

    /// <summary>True when the block uses procedural statements (DECLARE, IF, LOOP, WHILE, FOR, RAISE, EXCEPTION WHEN, nested blocks).</summary>
    public bool IsProcedural { get; }

    /// <summary>Parses a body.</summary>
    /// <exception cref="NodeDbException">Code <c>syntax_error</c> when it is not a <c>BEGIN … END</c> block.</exception>
    public static SqlBody Parse(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var text = body.Trim().TrimEnd(';').Trim();
        if (!text.StartsWith("BEGIN", StringComparison.OrdinalIgnoreCase) || !text.EndsWith("END", StringComparison.OrdinalIgnoreCase))
        {
            throw new NodeDbException(ErrorCodes.SyntaxError, $"Body '{body}' is not a BEGIN … END block.");
        }

        var inner = text[5..^3].Trim();
        var statements = inner.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return new SqlBody(inner, statements, isProcedural: false);
    }

    /// <summary>The first table the body writes to (INSERT INTO, UPDATE, DELETE FROM, MERGE INTO …), lower-cased; null when it writes none.</summary>
    public string? InferTargetCollection() => null;
}
