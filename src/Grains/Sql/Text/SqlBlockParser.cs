namespace NodeDb.Orleans.Grains.Sql.Text;

/// <summary>
/// Reads a <c>BEGIN … END</c> block as PL/pgSQL-style statements: nested blocks, IF … END IF, CASE … END CASE,
/// LOOP/WHILE/FOR … END LOOP and EXCEPTION WHEN handlers, so a compound statement is never split at an inner <c>;</c>.
/// </summary>
/// <remarks>
/// Plain SQL statements are not parsed, only delimited: they end at a top-level <c>;</c> or at the END (ELSE, ELSIF)
/// of the enclosing construct, with parentheses, CASE … END and mid-statement BEGIN … END (triggers, BEGIN ATOMIC) kept whole.
/// </remarks>
internal sealed partial class SqlBlockParser
{
    private static readonly string[] Terminators = ["END", "EXCEPTION", "WHEN", "ELSE", "ELSIF", "ELSEIF"];
    private static readonly string[] TransactionWords = ["TRANSACTION", "WORK", "ISOLATION", "DEFERRED", "IMMEDIATE", "EXCLUSIVE"];
    private static readonly string[] TransactionControl = ["COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "ABORT"];
    private static readonly string[] ProceduralLeaves = ["DECLARE", "RAISE", "RETURN", "PERFORM", "EXIT", "CONTINUE"];

    private readonly IReadOnlyList<SqlToken> _t;
    private readonly int _limit;
    private readonly List<TokenRange> _leaves = [];
    private int _pos;
    private int _depth;
    private bool _procedural;

    private SqlBlockParser(IReadOnlyList<SqlToken> tokens, int start, int limit)
    {
        _t = tokens;
        _pos = start;
        _limit = limit;
    }

    /// <summary>Reads the block whose <c>BEGIN</c> is at <paramref name="start"/>; tokens at or past <paramref name="limit"/> are not looked at.</summary>
    public static SqlBlock ParseBlock(IReadOnlyList<SqlToken> tokens, int start, int limit)
    {
        var parser = new SqlBlockParser(tokens, start, limit);
        return parser.ParseOuter();
    }

    private SqlToken Current => _t[_pos];

    private bool AtEnd => _pos >= _limit;

    private bool At(string keyword) => !AtEnd && Current.IsKeyword(keyword);

    private bool AtSymbol(string symbol) => !AtEnd && Current.IsSymbol(symbol);

    private bool AtTerminator => !AtEnd && Current.IsAnyKeyword(Terminators);

    private bool NextIs(string keyword) => _pos + 1 < _limit && _t[_pos + 1].IsKeyword(keyword);

    private SqlBlock ParseOuter()
    {
        var begin = _pos;
        if (AtEnd || !Current.IsKeyword("BEGIN"))
        {
            throw Syntax(AtEnd ? "The body is empty: expected BEGIN stmt; … END." : $"A body must start with BEGIN, found {Current.Describe()}.");
        }

        RefuseTransactionBegin();
        _pos++;
        var top = ParseStatements();
        if (At("EXCEPTION"))
        {
            var start = _pos;
            ParseExceptionSection();
            var end = _pos;
            while (end > start && _t[end - 1].IsSymbol(";"))
            {
                end--;
            }

            top.Add(new TokenRange(start, end));
        }

        ExpectEnd(begin, kind: null);
        return new SqlBlock(begin, _pos - 1, top, _leaves, _procedural);
    }

    private List<TokenRange> ParseStatements()
    {
        var list = new List<TokenRange>();
        while (true)
        {
            while (AtSymbol(";"))
            {
                _pos++;
            }

            if (AtEnd || AtTerminator)
            {
                return list;
            }

            var start = _pos;
            ParseStatement();
            list.Add(new TokenRange(start, _pos));
            if (!AtEnd && !AtSymbol(";") && !AtTerminator)
            {
                throw Syntax($"Expected ';' after the statement that starts at {_t[start].Position}, found {Current.Describe()}.");
            }
        }
    }

    private void ParseStatement()
    {
        if (AtSymbol("<<"))
        {
            SkipLabel();
        }

        var token = Current;
        if (token.IsKeyword("BEGIN"))
        {
            Nested(token, ParseNestedBlock);
        }
        else if (token.IsKeyword("IF"))
        {
            Nested(token, ParseIf);
        }
        else if (token.IsKeyword("CASE"))
        {
            Nested(token, ParseCaseStatement);
        }
        else if (token.IsKeyword("LOOP"))
        {
            Nested(token, () => ParseLoopBody(_pos));
        }
        else if (token.IsAnyKeyword("WHILE", "FOR", "FOREACH"))
        {
            Nested(token, ParseLoopHeader);
        }
        else if (token.IsAnyKeyword(TransactionControl) || (token.IsKeyword("START") && NextIs("TRANSACTION")))
        {
            throw new NodeDbException(ErrorCodes.BodyRejected,
                $"{token.Describe()} is transaction control: a schedule body already runs in one transaction, committed when the body ends and rolled back when it fails, so it may not contain COMMIT, ROLLBACK, SAVEPOINT, RELEASE or START TRANSACTION.");
        }
        else if (token.IsAnyKeyword(ProceduralLeaves) || IsAssignment())
        {
            _procedural = true;
            SkipSimpleStatement();
        }
        else
        {
            var start = _pos;
            SkipSimpleStatement();
            _leaves.Add(new TokenRange(start, _pos));
        }
    }

    /// <summary>
    /// Parses one compound statement one level deeper. The parser recurses per level, so the depth is bounded:
    /// a deeply nested script is refused here instead of overflowing the stack, which would end the process.
    /// </summary>
    private void Nested(SqlToken opener, Action parse)
    {
        if (++_depth > SqlBody.MaxNestingDepth)
        {
            throw new NodeDbException(ErrorCodes.BodyRejected,
                $"{opener.Describe()} opens block level {_depth}: blocks, IF, CASE and loops nest at most {SqlBody.MaxNestingDepth} deep (limit SqlBody.MaxNestingDepth = {SqlBody.MaxNestingDepth}).");
        }

        try
        {
            parse();
        }
        finally
        {
            _depth--;
        }
    }

    private void SkipLabel()
    {
        var open = Current;
        if (_pos + 2 >= _limit || !_t[_pos + 1].IsName || !_t[_pos + 2].IsSymbol(">>"))
        {
            throw Syntax($"A label {open.Describe()} must be written <<name>>.");
        }

        _pos += 3;
        if (AtEnd || !Current.IsAnyKeyword("BEGIN", "LOOP", "WHILE", "FOR", "FOREACH"))
        {
            throw Syntax($"The label at {open.Position} must be followed by BEGIN, LOOP, WHILE or FOR{(AtEnd ? "" : $", found {Current.Describe()}")}.");
        }
    }

    private bool IsAssignment()
    {
        var i = _pos;
        if (!_t[i].IsName)
        {
            return false;
        }

        i++;
        while (i + 1 < _limit && _t[i].IsSymbol(".") && _t[i + 1].IsName)
        {
            i += 2;
        }

        return i < _limit && _t[i].IsSymbol(":=");
    }

    private void RefuseTransactionBegin()
    {
        var begin = Current;
        if (_pos + 1 < _limit && (_t[_pos + 1].IsSymbol(";") || _t[_pos + 1].IsAnyKeyword(TransactionWords)))
        {
            throw Syntax($"'{begin.Text} {_t[_pos + 1].Text}' at {begin.Position} starts a transaction, but a schedule body is a block that already runs in one transaction: write BEGIN stmt; … END, with nothing between BEGIN and the first statement.");
        }
    }
}
