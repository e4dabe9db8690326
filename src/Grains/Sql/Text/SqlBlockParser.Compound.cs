namespace NodeDb.Orleans.Grains.Sql.Text;

internal sealed partial class SqlBlockParser
{
    private void ParseNestedBlock()
    {
        _procedural = true;
        var begin = _pos;
        RefuseTransactionBegin();
        _pos++;
        ParseStatements();
        if (At("EXCEPTION"))
        {
            ParseExceptionSection();
        }

        ExpectEnd(begin, kind: null);
        SkipEndLabel();
    }

    private void ParseExceptionSection()
    {
        _procedural = true;
        var exception = Current;
        _pos++;
        if (!At("WHEN"))
        {
            throw Syntax($"EXCEPTION at {exception.Position} must be followed by WHEN condition THEN …{FoundSuffix()}.");
        }

        while (At("WHEN"))
        {
            ParseGuardedBranch();
        }
    }

    private void ParseIf()
    {
        _procedural = true;
        var opener = _pos;
        ParseGuardedBranch();
        while (At("ELSIF") || At("ELSEIF"))
        {
            ParseGuardedBranch();
        }

        ParseOptionalElse();
        ExpectEnd(opener, "IF");
    }

    /// <summary><c>IF|ELSIF|WHEN condition THEN statements</c>, from the keyword at the current token.</summary>
    private void ParseGuardedBranch()
    {
        var keyword = _pos;
        _pos++;
        SkipUntil("THEN", keyword);
        _pos++;
        ParseStatements();
    }

    private void ParseOptionalElse()
    {
        if (At("ELSE"))
        {
            _pos++;
            ParseStatements();
        }
    }

    private void ParseCaseStatement()
    {
        _procedural = true;
        var opener = _pos;
        _pos++;
        SkipUntil("WHEN", opener);
        while (At("WHEN"))
        {
            ParseGuardedBranch();
        }

        ParseOptionalElse();
        ExpectEnd(opener, "CASE");
    }

    private void ParseLoopHeader()
    {
        _procedural = true;
        var opener = _pos;
        _pos++;
        SkipUntil("LOOP", opener);
        if (_t[opener].IsKeyword("FOR"))
        {
            // FOR r IN SELECT … LOOP: the query runs on every fire, so the guard must see it.
            for (var i = opener + 1; i < _pos; i++)
            {
                if (_t[i].IsKeyword("IN"))
                {
                    if (i + 1 < _pos && _t[i + 1].IsAnyKeyword("SELECT", "WITH"))
                    {
                        _leaves.Add(new TokenRange(i + 1, _pos));
                    }

                    break;
                }
            }
        }

        ParseLoopBody(opener);
    }

    private void ParseLoopBody(int opener)
    {
        _procedural = true;
        _pos++;
        ParseStatements();
        ExpectEnd(opener, "LOOP");
        SkipEndLabel();
    }

    private void ExpectEnd(int opener, string? kind)
    {
        var open = _t[opener];
        var closer = kind is null ? "END" : $"END {kind}";
        if (AtEnd)
        {
            throw Syntax($"{open.Text.ToUpperInvariant()} at {open.Position} has no matching {closer}.");
        }

        if (!Current.IsKeyword("END"))
        {
            throw Syntax($"Unexpected {Current.Describe()} inside the {open.Text.ToUpperInvariant()} at {open.Position}: expected {closer} or another statement.");
        }

        var end = Current;
        _pos++;
        var next = AtEnd ? (SqlToken?)null : Current;
        if (kind is null)
        {
            if (next is { } n && n.IsAnyKeyword("IF", "LOOP", "CASE"))
            {
                throw Syntax($"'END {n.Text}' at {end.Position} has no matching {n.Text.ToUpperInvariant()}: the innermost open block is the {open.Text.ToUpperInvariant()} at {open.Position}.");
            }

            return;
        }

        if (next is not { } k || !k.IsKeyword(kind))
        {
            throw Syntax($"END at {end.Position} must be written {closer} to close the {kind} at {open.Position}.");
        }

        _pos++;
    }

    private void SkipEndLabel()
    {
        if (!AtEnd && Current.Kind == SqlTokenKind.Identifier && !AtTerminator
            && (_pos + 1 >= _limit || _t[_pos + 1].IsSymbol(";") || _t[_pos + 1].IsAnyKeyword(Terminators)))
        {
            _pos++;
        }
    }

    /// <summary>Advances to <paramref name="keyword"/> at nesting depth zero (a condition or a loop header).</summary>
    private void SkipUntil(string keyword, int opener)
    {
        var depth = new Stack<SqlToken>();
        while (!AtEnd)
        {
            var token = Current;
            if (depth.Count == 0 && token.IsKeyword(keyword))
            {
                return;
            }

            if (depth.Count == 0 && (token.IsSymbol(";") || token.IsAnyKeyword(Terminators)))
            {
                break;
            }

            Track(depth, token);
            _pos++;
        }

        var open = _t[opener];
        throw Syntax($"{open.Text.ToUpperInvariant()} at {open.Position} needs {keyword}{FoundSuffix()}.");
    }

    /// <summary>Advances past one plain statement, up to a top-level ';' or the END/ELSE/ELSIF of the enclosing construct.</summary>
    private void SkipSimpleStatement()
    {
        var depth = new Stack<SqlToken>();
        while (!AtEnd)
        {
            var token = Current;
            if (depth.Count == 0 && (token.IsSymbol(";") || token.IsAnyKeyword("END", "ELSE", "ELSIF", "ELSEIF")))
            {
                return;
            }

            Track(depth, token);
            _pos++;
        }

        if (depth.Count > 0)
        {
            var open = depth.Peek();
            throw Syntax($"{open.Describe()} is never closed: expected {(open.IsSymbol("(") ? "')'" : "END")}.");
        }
    }

    private void Track(Stack<SqlToken> depth, SqlToken token)
    {
        if (token.IsSymbol("(") || token.IsAnyKeyword("CASE", "BEGIN"))
        {
            depth.Push(token);
        }
        else if (token.IsSymbol(")") || token.IsKeyword("END"))
        {
            var wantParen = token.IsSymbol(")");
            if (depth.Count == 0 || depth.Peek().IsSymbol("(") != wantParen)
            {
                var inside = depth.Count == 0 ? "" : $" (the innermost open one is {depth.Peek().Describe()})";
                throw Syntax($"Unbalanced {token.Describe()}{inside}.");
            }

            depth.Pop();
        }
    }

    private string FoundSuffix() => AtEnd ? ", found the end of the body" : $", found {Current.Describe()}";

    private static NodeDbException Syntax(string message) => new(ErrorCodes.SyntaxError, message);
}
