using System.Text;

namespace NodeDb.Orleans.Grains.Sql.Text;

/// <summary>Quoted forms: strings, E-strings, quoted identifiers and dollar quotes.</summary>
public sealed partial class SqlLexer
{
    private void ReadQuotedString(int start, int quote, bool backslashEscapes)
    {
        var value = new StringBuilder();
        _pos = quote + 1;
        while (_pos < _text.Length)
        {
            var c = _text[_pos];
            if (c == '\'' && Peek(1) == '\'')
            {
                value.Append('\'');
                _pos += 2;
            }
            else if (c == '\'')
            {
                _pos++;
                Add(SqlTokenKind.String, start, value.ToString());
                return;
            }
            else if (c == '\\' && backslashEscapes && _pos + 1 < _text.Length)
            {
                value.Append(Unescape(_text[_pos + 1]));
                _pos += 2;
            }
            else
            {
                value.Append(c);
                _pos++;
            }
        }

        throw Unterminated("string literal", start, "a closing quote (')");
    }

    private static char Unescape(char c) => c switch
    {
        'n' => '\n',
        't' => '\t',
        'r' => '\r',
        'b' => '\b',
        'f' => '\f',
        _ => c,
    };

    private void ReadQuotedIdentifier(char quote)
    {
        var start = _pos;
        var value = new StringBuilder();
        _pos++;
        while (_pos < _text.Length)
        {
            var c = _text[_pos];
            if (c == quote && Peek(1) == quote)
            {
                value.Append(quote);
                _pos += 2;
            }
            else if (c == quote)
            {
                _pos++;
                if (value.Length == 0)
                {
                    throw new NodeDbException(ErrorCodes.SyntaxError, $"Empty quoted identifier {quote}{quote} at {_lines.PositionOf(start)}: a quoted identifier needs at least one character.");
                }

                Add(SqlTokenKind.QuotedIdentifier, start, value.ToString());
                return;
            }
            else
            {
                value.Append(c);
                _pos++;
            }
        }

        throw Unterminated("quoted identifier", start, $"a closing {quote}");
    }

    private bool TryReadDollar()
    {
        var start = _pos;
        if (char.IsAsciiDigit(Peek(1)))
        {
            _pos++;
            while (_pos < _text.Length && char.IsAsciiDigit(_text[_pos]))
            {
                _pos++;
            }

            Add(SqlTokenKind.Parameter, start, _text[start.._pos]);
            return true;
        }

        // A dollar-quote tag is $$ or $name$ where name has no '$' and does not start with a digit.
        var end = _pos + 1;
        while (end < _text.Length && (char.IsLetterOrDigit(_text[end]) || _text[end] == '_'))
        {
            end++;
        }

        if (end >= _text.Length || _text[end] != '$')
        {
            return false;
        }

        var tag = _text[start..(end + 1)];
        var contentStart = end + 1;
        var close = _text.IndexOf(tag, contentStart, StringComparison.Ordinal);
        if (close < 0)
        {
            throw Unterminated("dollar-quoted string", start, $"the closing {tag}");
        }

        _pos = close + tag.Length;
        Add(SqlTokenKind.String, start, _text[contentStart..close]);
        return true;
    }
}
