using NodeDb.Orleans.Grains.Ddl;

namespace NodeDb.Orleans.Tests.Ddl;

public sealed class DdlScriptTests
{
    [Fact]
    public void Splits_a_script_and_keeps_schedule_bodies_whole()
    {
        const string script = """
            CREATE TABLE t (id int); -- a comment; with a semicolon
            CREATE SCHEDULE s CRON '* * * * *' AS BEGIN
              INSERT INTO t VALUES (1);
              IF true THEN DELETE FROM t; END IF;
            END;
            INSERT INTO t VALUES (';');
            ;;
            CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE c SET n = CASE WHEN n > 0 THEN n + 1 ELSE 1 END; END;
            DO $$ BEGIN PERFORM 1; END $$;
            SHOW SCHEDULES
            """;

        var statements = DdlParser.ParseScript(script);

        Assert.Collection(
            statements,
            s => Assert.Equal(new OtherStatement("CREATE TABLE t (id int)"), s),
            s => Assert.Equal("BEGIN\n  INSERT INTO t VALUES (1);\n  IF true THEN DELETE FROM t; END IF;\nEND", Assert.IsType<CreateScheduleStatement>(s).Body),
            s => Assert.Equal(new OtherStatement("INSERT INTO t VALUES (';')"), s),
            s => Assert.Equal(new OtherStatement("CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE c SET n = CASE WHEN n > 0 THEN n + 1 ELSE 1 END; END"), s),
            s => Assert.Equal(new OtherStatement("DO $$ BEGIN PERFORM 1; END $$"), s),
            s => Assert.IsType<ShowSchedulesStatement>(s));
    }

    [Theory]
    [InlineData("")]
    [InlineData("  -- only a comment\n ; ;")]
    public void An_empty_script_has_no_statements(string script)
    {
        Assert.Empty(DdlParser.ParseScript(script));
    }

    [Fact]
    public void A_transaction_begin_is_a_statement_of_its_own()
    {
        var statements = DdlParser.ParseScript("BEGIN; INSERT INTO t VALUES (1); COMMIT;");

        Assert.Equal([new OtherStatement("BEGIN"), new OtherStatement("INSERT INTO t VALUES (1)"), new OtherStatement("COMMIT")], statements);
    }

    [Fact]
    public void Parse_refuses_more_than_one_statement()
    {
        var error = Assert.Throws<NodeDbException>(() => DdlParser.Parse("SHOW SCHEDULES;\nSELECT 1"));

        Assert.Equal(ErrorCodes.SyntaxError, error.Code);
        Assert.Contains("the second starts at 2:1", error.Message, StringComparison.Ordinal);
    }
}
