using NodeDb.Orleans.Grains.Sql.Text;

namespace NodeDb.Orleans.Tests.SqlText;

public sealed class SqlLexerTests
{
    [Theory]
    [InlineData("select", SqlTokenKind.Identifier, "select")]
    [InlineData("\"Foo\"\"Bar\"", SqlTokenKind.QuotedIdentifier, "Foo\"Bar")]
    [InlineData("`Foo`", SqlTokenKind.QuotedIdentifier, "Foo")]
    [InlineData("'it''s'", SqlTokenKind.String, "it's")]
    [InlineData("E'a\\'b\\n'", SqlTokenKind.String, "a'b\n")]
    [InlineData("$$ a ; 'b' $$", SqlTokenKind.String, " a ; 'b' ")]
    [InlineData("$fn$ $$ ; $fn$", SqlTokenKind.String, " $$ ; ")]
    [InlineData("42", SqlTokenKind.Number, "42")]
    [InlineData("1.5e3", SqlTokenKind.Number, "1.5e3")]
    [InlineData("$1", SqlTokenKind.Parameter, "$1")]
    [InlineData(":=", SqlTokenKind.Symbol, ":=")]
    [InlineData("::", SqlTokenKind.Symbol, "::")]
    public void Reads_one_token(string text, SqlTokenKind kind, string value)
    {
        var tokens = SqlLexer.Tokenize(text);

        var token = Assert.Single(tokens);
        Assert.Equal(kind, token.Kind);
        Assert.Equal(value, token.Value);
        Assert.Equal(text, token.Text);
    }

    [Fact]
    public void Skips_comments_including_nested_block_comments()
    {
        var tokens = SqlLexer.Tokenize("a -- b ; c\n/* d /* e */ f; */ g");

        Assert.Equal(["a", "g"], tokens.Select(t => t.Text));
    }

    [Fact]
    public void Keeps_line_and_column_of_each_token()
    {
        var tokens = SqlLexer.Tokenize("SELECT\n  x,\r\n    'y'");

        Assert.Equal(new SqlPosition(0, 1, 1), tokens[0].Position);
        Assert.Equal(new SqlPosition(9, 2, 3), tokens[1].Position);
        Assert.Equal(new SqlPosition(17, 3, 5), tokens[3].Position);
    }

    [Fact]
    public void A_range_is_not_a_decimal_point()
    {
        var tokens = SqlLexer.Tokenize("1..10");

        Assert.Equal(["1", "..", "10"], tokens.Select(t => t.Text));
    }

    [Fact]
    public void Keywords_match_case_insensitively_but_quoted_identifiers_never_do()
    {
        var tokens = SqlLexer.Tokenize("Begin \"BEGIN\"");

        Assert.True(tokens[0].IsKeyword("BEGIN"));
        Assert.False(tokens[1].IsKeyword("BEGIN"));
    }

    [Theory]
    [InlineData("SELECT 'abc", "string literal", "1:8")]
    [InlineData("SELECT\n \"abc", "quoted identifier", "2:2")]
    [InlineData("x /* a /* b */", "block comment", "1:3")]
    [InlineData("x $q$ abc $Q$", "dollar-quoted string", "1:3")]
    [InlineData("x E'abc\\'", "string literal", "1:3")]
    public void Unterminated_text_is_a_syntax_error_naming_the_position(string text, string what, string position)
    {
        var error = Assert.Throws<NodeDbException>(() => SqlLexer.Tokenize(text));

        Assert.Equal(ErrorCodes.SyntaxError, error.Code);
        Assert.Contains($"Unterminated {what} starting at {position}", error.Message, StringComparison.Ordinal);
    }
}
