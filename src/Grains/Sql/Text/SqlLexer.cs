namespace NodeDb.Orleans.Grains.Sql.Text;

/// <summary>
/// Splits SQL text into tokens the way PostgreSQL reads it: quoted identifiers with <c>""</c> escapes,
/// strings with <c>''</c> escapes, <c>E'…'</c> strings, dollar quotes, <c>--</c> and nested <c>/* */</c> comments.
/// </summary>
/// <remarks>Whitespace and comments produce no tokens; every token keeps its source position for error messages.</remarks>
public sealed partial class SqlLexer
{
    private static readonly string[] MultiCharSymbols = ["->>", "::", ":=", "<=", ">=", "<>", "!=", "||", "->", "=>", "<<", ">>", ".."];

    private readonly string _text;
    private readonly SqlLineMap _lines;
    private readonly List<SqlToken> _tokens = [];
    private int _pos;

    private SqlLexer(string text)
    {
        _text = text;
        _lines = new SqlLineMap(text);
    }

    /// <summary>Tokenizes <paramref name="text"/>.</summary>
    /// <exception cref="NodeDbException">Code <c>syntax_error</c> for an unterminated string, quoted identifier or comment, naming where it starts.</exception>
    public static IReadOnlyList<SqlToken> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lexer = new SqlLexer(text);
        lexer.Run();
        return lexer._tokens;
    }

    private void Run()
    {
        while (_pos < _text.Length)
        {
            var c = _text[_pos];
            if (char.IsWhiteSpace(c))
            {
                _pos++;
            }
            else if (c == '-' && Peek(1) == '-')
            {
                SkipLineComment();
            }
            else if (c == '/' && Peek(1) == '*')
            {
                SkipBlockComment();
            }
            else if (c == '\'')
            {
                ReadQuotedString(_pos, _pos, backslashEscapes: false);
            }
            else if ((c is 'E' or 'e') && Peek(1) == '\'')
            {
                ReadQuotedString(_pos, _pos + 1, backslashEscapes: true);
            }
            else if ((c is 'N' or 'n' or 'X' or 'x' or 'B' or 'b') && Peek(1) == '\'')
            {
                ReadQuotedString(_pos, _pos + 1, backslashEscapes: false);
            }
            else if (c is '"' or '`')
            {
                ReadQuotedIdentifier(c);
            }
            else if (c == '$' && TryReadDollar())
            {
                // Dollar quote or parameter consumed.
            }
            else if (char.IsAsciiDigit(c) || (c == '.' && char.IsAsciiDigit(Peek(1))))
            {
                ReadNumber();
            }
            else if (char.IsLetter(c) || c == '_')
            {
                ReadIdentifier();
            }
            else
            {
                ReadSymbol();
            }
        }
    }

    private char Peek(int ahead) => _pos + ahead < _text.Length ? _text[_pos + ahead] : '\0';

    private void Add(SqlTokenKind kind, int start, string value)
    {
        var text = _text[start.._pos];
        _tokens.Add(new SqlToken(kind, text, value, _lines.PositionOf(start)));
    }

    private void SkipLineComment()
    {
        var newline = _text.IndexOf('\n', _pos);
        _pos = newline < 0 ? _text.Length : newline + 1;
    }

    private void SkipBlockComment()
    {
        // PostgreSQL nests block comments, so "/* a /* b */ c */" is one comment.
        var start = _pos;
        var depth = 0;
        while (_pos < _text.Length)
        {
            if (_text[_pos] == '/' && Peek(1) == '*')
            {
                depth++;
                _pos += 2;
            }
            else if (_text[_pos] == '*' && Peek(1) == '/')
            {
                depth--;
                _pos += 2;
                if (depth == 0)
                {
                    return;
                }
            }
            else
            {
                _pos++;
            }
        }

        throw Unterminated("block comment", start, "'*/'");
    }

    private void ReadNumber()
    {
        var start = _pos;
        SkipDigits();
        // "1..10" is a range in FOR loops: a dot followed by a dot is not a decimal point.
        if (_pos < _text.Length && _text[_pos] == '.' && Peek(1) != '.')
        {
            _pos++;
            SkipDigits();
        }

        if (_pos < _text.Length && _text[_pos] is 'e' or 'E'
            && (char.IsAsciiDigit(Peek(1)) || (Peek(1) is '+' or '-' && char.IsAsciiDigit(Peek(2)))))
        {
            _pos += 2;
            SkipDigits();
        }

        Add(SqlTokenKind.Number, start, _text[start.._pos]);
    }

    private void SkipDigits()
    {
        while (_pos < _text.Length && char.IsAsciiDigit(_text[_pos]))
        {
            _pos++;
        }
    }

    private void ReadIdentifier()
    {
        var start = _pos;
        while (_pos < _text.Length && (char.IsLetterOrDigit(_text[_pos]) || _text[_pos] is '_' or '$'))
        {
            _pos++;
        }

        Add(SqlTokenKind.Identifier, start, _text[start.._pos]);
    }

    private void ReadSymbol()
    {
        var start = _pos;
        foreach (var symbol in MultiCharSymbols)
        {
            if (string.CompareOrdinal(_text, _pos, symbol, 0, symbol.Length) == 0)
            {
                _pos += symbol.Length;
                Add(SqlTokenKind.Symbol, start, symbol);
                return;
            }
        }

        // A character outside the BMP is one symbol, not two halves of a surrogate pair.
        _pos += char.IsHighSurrogate(_text[_pos]) && _pos + 1 < _text.Length ? 2 : 1;
        Add(SqlTokenKind.Symbol, start, _text[start.._pos]);
    }

    private NodeDbException Unterminated(string what, int start, string expected) =>
        new(ErrorCodes.SyntaxError,
            $"Unterminated {what} starting at {_lines.PositionOf(start)} ('{Excerpt(start)}'): expected {expected} before the end of the text.");

    private string Excerpt(int start)
    {
        var length = Math.Min(20, _text.Length - start);
        var excerpt = _text.Substring(start, length).ReplaceLineEndings(" ");
        return start + length < _text.Length ? excerpt + "…" : excerpt;
    }
}
