using NodeDb.Orleans.Grains.Sql.Text;

namespace NodeDb.Orleans.Tests.SqlText;

public sealed class BodyGuardTests
{
    [Theory]
    [InlineData("SELECT * FROM t")]
    [InlineData("select  *  from t")]
    [InlineData("SELECT t.* FROM t")]
    [InlineData("SELECT s.t.* FROM s.t")]
    [InlineData("SELECT *, t.* FROM t")]
    [InlineData("SELECT * FROM t ORDER BY x")]
    [InlineData("SELECT DISTINCT * FROM t")]
    [InlineData("SELECT ALL * FROM t")]
    [InlineData("WITH c AS (SELECT 1) SELECT * FROM c")]
    [InlineData("WITH RECURSIVE c(n) AS (SELECT 1 UNION SELECT n + 1 FROM c WHERE n < 5) SELECT * FROM c")]
    [InlineData("SELECT * FROM t JOIN (SELECT * FROM u WHERE a LIMIT 1) v ON true")]
    [InlineData("SELECT * FROM t WHERE_NOT_A_CLAUSE")]
    public void Rejects_an_unbounded_select_star(string statement)
    {
        var message = BodyGuard.Check(SqlBody.Parse($"BEGIN {statement}; END"));

        Assert.NotNull(message);
        Assert.Contains($"'{statement}'", message, StringComparison.Ordinal);
        Assert.Contains("add a WHERE, LIMIT, OFFSET, FETCH, GROUP BY or HAVING clause, or name the columns", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SELECT *, 1 FROM t")]
    [InlineData("SELECT count(*) FROM t")]
    [InlineData("SELECT * FROM t WHERE a = 1")]
    [InlineData("SELECT * FROM t LIMIT 10")]
    [InlineData("SELECT * FROM t OFFSET 10")]
    [InlineData("SELECT * FROM t FETCH FIRST 1 ROW ONLY")]
    [InlineData("SELECT * FROM t GROUP BY k")]
    [InlineData("SELECT * FROM t HAVING count(*) > 1")]
    [InlineData("INSERT INTO u SELECT * FROM t")]
    [InlineData("DELETE FROM t")]
    [InlineData("UPDATE t SET a = 1")]
    [InlineData("SELECT *")]
    [InlineData("SELECT * FROM a UNION SELECT * FROM b")]
    [InlineData("SELECT a, b FROM t")]
    [InlineData("WITH c AS (SELECT * FROM t) SELECT * FROM c WHERE x")]
    [InlineData("SELECT 'SELECT * FROM t'")]
    public void Accepts_bounded_or_non_select_statements(string statement)
    {
        Assert.Null(BodyGuard.Check(SqlBody.Parse($"BEGIN {statement}; END")));
    }

    [Fact]
    public void A_where_inside_a_subquery_does_not_bound_the_outer_select()
    {
        var message = BodyGuard.Check(SqlBody.Parse("BEGIN SELECT * FROM (SELECT * FROM t WHERE a) s ORDER BY 1; END"));

        Assert.NotNull(message);
    }

    [Theory]
    [InlineData("BEGIN DELETE FROM x; SELECT * FROM t; END", "'SELECT * FROM t' at 1:22")]
    [InlineData("BEGIN IF true THEN SELECT * FROM t; END IF; END", "'SELECT * FROM t'")]
    [InlineData("BEGIN BEGIN SELECT * FROM t; END; END", "'SELECT * FROM t'")]
    [InlineData("BEGIN FOR r IN SELECT * FROM t LOOP RAISE NOTICE 'x'; END LOOP; END", "'SELECT * FROM t'")]
    [InlineData("BEGIN SELECT 1; EXCEPTION WHEN OTHERS THEN SELECT * FROM t; END", "'SELECT * FROM t'")]
    public void Checks_statements_inside_nested_constructs(string body, string expected)
    {
        var message = BodyGuard.Check(SqlBody.Parse(body));

        Assert.NotNull(message);
        Assert.Contains(expected, message, StringComparison.Ordinal);
    }
}
