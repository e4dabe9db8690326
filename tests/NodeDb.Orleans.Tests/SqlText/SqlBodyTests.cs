using NodeDb.Orleans.Grains.Sql.Text;

namespace NodeDb.Orleans.Tests.SqlText;

public sealed class SqlBodyTests
{
    [Theory]
    [InlineData("BEGIN DELETE FROM old; END", "DELETE FROM old")]
    [InlineData("begin\n  delete from old;\nend;", "delete from old")]
    [InlineData("  BEGIN DELETE FROM old END  ", "DELETE FROM old")]
    [InlineData("BEGIN INSERT INTO t VALUES ('a;b'); SELECT 1; END", "INSERT INTO t VALUES ('a;b')|SELECT 1")]
    [InlineData("BEGIN INSERT INTO t VALUES ($$a;b$$); -- x; y\n SELECT /* ; */ 2; END", "INSERT INTO t VALUES ($$a;b$$)|SELECT /* ; */ 2")]
    [InlineData("BEGIN SELECT CASE WHEN a THEN 1 ELSE 2 END FROM t WHERE x; END", "SELECT CASE WHEN a THEN 1 ELSE 2 END FROM t WHERE x")]
    [InlineData("BEGIN IF true THEN SELECT 1; SELECT 2; ELSE SELECT 3; END IF; SELECT 4; END", "IF true THEN SELECT 1; SELECT 2; ELSE SELECT 3; END IF|SELECT 4")]
    [InlineData("BEGIN LOOP EXIT; END LOOP; END", "LOOP EXIT; END LOOP")]
    [InlineData("BEGIN FOR i IN 1..3 LOOP INSERT INTO t VALUES (i); END LOOP; END", "FOR i IN 1..3 LOOP INSERT INTO t VALUES (i); END LOOP")]
    [InlineData("BEGIN BEGIN SELECT 1; SELECT 2; END; SELECT 3; END", "BEGIN SELECT 1; SELECT 2; END|SELECT 3")]
    [InlineData("BEGIN CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE c SET n = n + 1; END; END", "CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE c SET n = n + 1; END")]
    [InlineData("BEGIN SELECT 1; EXCEPTION WHEN OTHERS THEN SELECT 2; END", "SELECT 1|EXCEPTION WHEN OTHERS THEN SELECT 2")]
    [InlineData("BEGIN END", "")]
    [InlineData("BEGIN SELECT 1;; ; SELECT 2;; END", "SELECT 1|SELECT 2")]
    public void Splits_top_level_statements(string body, string expected)
    {
        var parsed = SqlBody.Parse(body);

        var expectedStatements = expected.Length == 0 ? [] : expected.Split('|');
        Assert.Equal(expectedStatements, parsed.Statements);
    }

    [Fact]
    public void InnerText_is_the_text_between_the_outer_begin_and_end()
    {
        var parsed = SqlBody.Parse("BEGIN\n  IF x THEN SELECT 1; END IF;\n  SELECT 2;\nEND;");

        Assert.Equal("IF x THEN SELECT 1; END IF;\n  SELECT 2;", parsed.InnerText);
        Assert.Equal("BEGIN\n  IF x THEN SELECT 1; END IF;\n  SELECT 2;\nEND", parsed.Text);
    }

    [Theory]
    [InlineData("BEGIN DELETE FROM t; END", false)]
    [InlineData("BEGIN SELECT CASE WHEN a THEN 1 END FROM t; END", false)]
    [InlineData("BEGIN DROP TABLE IF EXISTS t; END", false)]
    [InlineData("BEGIN SELECT * FROM t FOR UPDATE; END", false)]
    [InlineData("BEGIN CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END; END", false)]
    [InlineData("BEGIN SELECT f(a := 1); END", false)]
    [InlineData("BEGIN DECLARE x INT := 1; END", true)]
    [InlineData("BEGIN IF x THEN SELECT 1; END IF; END", true)]
    [InlineData("BEGIN LOOP EXIT; END LOOP; END", true)]
    [InlineData("BEGIN WHILE false LOOP SELECT 1; END LOOP; END", true)]
    [InlineData("BEGIN FOR i IN 1..2 LOOP SELECT i; END LOOP; END", true)]
    [InlineData("BEGIN RAISE NOTICE 'x'; END", true)]
    [InlineData("BEGIN RETURN 1; END", true)]
    [InlineData("BEGIN SELECT 1; EXCEPTION WHEN OTHERS THEN SELECT 2; END", true)]
    [InlineData("BEGIN BEGIN SELECT 1; END; END", true)]
    [InlineData("BEGIN x := 1; END", true)]
    [InlineData("BEGIN CASE x WHEN 1 THEN SELECT 1; END CASE; END", true)]
    public void Detects_procedural_bodies(string body, bool procedural)
    {
        Assert.Equal(procedural, SqlBody.Parse(body).IsProcedural);
    }

    [Theory]
    [InlineData("BEGIN DELETE FROM old; END", "old")]
    [InlineData("BEGIN RETURN 1; END", null)]
    [InlineData("BEGIN SELECT 1 FROM t WHERE a = 1; END", null)]
    [InlineData("BEGIN INSERT INTO stats(id, n) SELECT 1, 2; END", "stats")]
    [InlineData("BEGIN UPDATE \"Orders\" SET x = 1 WHERE y; END", "Orders")]
    [InlineData("BEGIN UPDATE Orders SET x = 1 WHERE y; END", "orders")]
    [InlineData("BEGIN INSERT INTO sales.Daily SELECT 1; END", "sales.daily")]
    [InlineData("BEGIN INSERT INTO \"Sales\".\"Daily\" SELECT 1; END", "Sales.Daily")]
    [InlineData("BEGIN SELECT * FROM (SELECT 1) sub LIMIT 1; DELETE FROM logs WHERE old; END", "logs")]
    [InlineData("BEGIN WITH c AS (SELECT 1) INSERT INTO c2 SELECT * FROM c; END", "c2")]
    [InlineData("BEGIN WITH c AS (SELECT id FROM t) UPDATE c SET x = 1; INSERT INTO real_t SELECT 1; END", "real_t")]
    [InlineData("BEGIN MERGE INTO tgt USING src ON tgt.id = src.id WHEN MATCHED THEN UPDATE SET v = src.v; END", "tgt")]
    [InlineData("BEGIN INSERT OR REPLACE INTO kv VALUES (1, 2); END", "kv")]
    [InlineData("BEGIN REPLACE INTO kv VALUES (1, 2); END", "kv")]
    [InlineData("BEGIN UPSERT INTO kv VALUES (1, 2); END", "kv")]
    [InlineData("BEGIN DELETE FROM ONLY parent WHERE x; END", "parent")]
    [InlineData("BEGIN SELECT * FROM t WHERE x FOR UPDATE; UPDATE u SET a = 1; END", "u")]
    [InlineData("BEGIN INSERT INTO t VALUES (1) ON CONFLICT (id) DO UPDATE SET v = 2; END", "t")]
    [InlineData("BEGIN SELECT 'INSERT INTO fake'; END", null)]
    [InlineData("BEGIN IF x THEN INSERT INTO inner_t VALUES (1); END IF; END", "inner_t")]
    public void Infers_the_first_written_table(string body, string? expected)
    {
        Assert.Equal(expected, SqlBody.Parse(body).InferTargetCollection());
    }

    [Fact]
    public void ToBatch_joins_the_statements_without_the_outer_block()
    {
        var parsed = SqlBody.Parse("BEGIN\n DELETE FROM a -- gone\n ; INSERT INTO b VALUES (1);\nEND;");

        Assert.Equal("DELETE FROM a;\nINSERT INTO b VALUES (1);", parsed.ToBatch());
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("SELECT 1", "must start with BEGIN")]
    [InlineData("BEGIN SELECT 1;", "has no matching END")]
    [InlineData("BEGIN SELECT 1; END; SELECT 2", "'SELECT' at 1:22")]
    [InlineData("BEGIN SELECT 1; END END", "'END' at 1:21")]
    [InlineData("BEGIN TRANSACTION; SELECT 1; END", "starts a transaction")]
    [InlineData("BEGIN; SELECT 1; END;", "starts a transaction")]
    [InlineData("BEGIN IF x THEN SELECT 1; END; END", "END IF")]
    [InlineData("BEGIN LOOP SELECT 1; END IF; END", "END LOOP")]
    [InlineData("BEGIN IF x SELECT 1; END IF; END", "needs THEN")]
    [InlineData("BEGIN SELECT (1; END", "Unbalanced")]
    [InlineData("BEGIN ELSE SELECT 1; END", "'ELSE' at 1:7")]
    [InlineData("BEGIN SELECT 1; END IF", "'END IF' at 1:17 has no matching IF")]
    public void Refuses_what_is_not_one_block(string body, string expected)
    {
        var error = Assert.Throws<NodeDbException>(() => SqlBody.Parse(body));

        Assert.Equal(ErrorCodes.SyntaxError, error.Code);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("BEGIN INSERT INTO t VALUES (1); COMMIT; END", "'COMMIT' at 1:33")]
    [InlineData("BEGIN ROLLBACK; END", "'ROLLBACK'")]
    [InlineData("BEGIN SAVEPOINT s; END", "'SAVEPOINT'")]
    [InlineData("BEGIN START TRANSACTION; END", "'START'")]
    public void Refuses_transaction_control(string body, string expected)
    {
        var error = Assert.Throws<NodeDbException>(() => SqlBody.Parse(body));

        Assert.Equal(ErrorCodes.BodyRejected, error.Code);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
