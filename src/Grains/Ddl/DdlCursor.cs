using NodeDb.Orleans.Grains.Sql.Text;

namespace NodeDb.Orleans.Grains.Ddl;

/// <summary>A position in a script's tokens, with the error messages every DDL parse step shares.</summary>
internal sealed class DdlCursor
{
    public DdlCursor(string source, IReadOnlyList<SqlToken> tokens)
    {
        Source = source;
        Tokens = tokens;
    }

    public string Source { get; }

    public IReadOnlyList<SqlToken> Tokens { get; }

    public int Pos { get; set; }

    public bool AtEnd => Pos >= Tokens.Count;

    public SqlToken Current => Tokens[Pos];

    public bool At(string keyword) => !AtEnd && Current.IsKeyword(keyword);

    public bool AtSymbol(string symbol) => !AtEnd && Current.IsSymbol(symbol);

    public bool AtStatementEnd => AtEnd || Current.IsSymbol(";");

    public bool PeekIs(int ahead, string keyword) => Pos + ahead < Tokens.Count && Tokens[Pos + ahead].IsKeyword(keyword);

    public bool Accept(string keyword)
    {
        if (!At(keyword))
        {
            return false;
        }

        Pos++;
        return true;
    }

    public bool AcceptSymbol(string symbol)
    {
        if (!AtSymbol(symbol))
        {
            return false;
        }

        Pos++;
        return true;
    }

    public SqlToken Expect(string keyword, string context)
    {
        if (!At(keyword))
        {
            throw Syntax($"Expected {keyword} {context}, found {Found()}.");
        }

        return Tokens[Pos++];
    }

    public SqlToken ExpectSymbol(string symbol, string context)
    {
        if (!AtSymbol(symbol))
        {
            throw Syntax($"Expected '{symbol}' {context}, found {Found()}.");
        }

        return Tokens[Pos++];
    }

    /// <summary>A quoted string; <paramref name="what"/> says what it should hold, e.g. "a cron expression such as '0 3 * * *'".</summary>
    public string ExpectString(string what, string context)
    {
        if (AtEnd || Current.Kind != SqlTokenKind.String)
        {
            throw Syntax($"Expected {what} {context}, found {Found()}.");
        }

        return Tokens[Pos++].Value;
    }

    /// <summary>The current token quoted with its position, or "the end of the input".</summary>
    public string Found() => AtEnd ? "the end of the input" : Current.Describe();

    public static NodeDbException Syntax(string message) => new(ErrorCodes.SyntaxError, message);

    public static NodeDbException Invalid(string message) => new(ErrorCodes.InvalidDefinition, message);
}
