using NodeDb.Orleans.Grains.Ddl;

namespace NodeDb.Orleans.Tests.Ddl;

public sealed class OtherScheduleStatementTests
{
    private static readonly ScheduleDefinition Current = new()
    {
        Tenant = "acme",
        Name = "job",
        Cron = "0 3 * * *",
        Body = "BEGIN RETURN 1; END",
        Retries = 3,
        Missed = MissedPolicy.Queue,
    };

    public static TheoryData<string, AlterAction> AlterCases => new()
    {
        { "ALTER SCHEDULE job ENABLE", new AlterAction.Enable() },
        { "alter schedule JOB disable;", new AlterAction.Disable() },
        { "ALTER SCHEDULE job SET CRON '0 0 * * *'", new AlterAction.SetCron("0 0 * * *") },
        { "ALTER SCHEDULE job SET TIMEZONE 'UTC'", new AlterAction.SetTimeZone("UTC") },
        { "ALTER SCHEDULE job SET TIME ZONE '+02:00'", new AlterAction.SetTimeZone("+02:00") },
        { "ALTER SCHEDULE job SET SCOPE LOCAL", new AlterAction.SetScope(ScheduleScope.Local) },
        { "ALTER SCHEDULE job SET BODY AS BEGIN SELECT a AS b FROM t WHERE x; END", new AlterAction.SetBody("BEGIN SELECT a AS b FROM t WHERE x; END") },
        { "ALTER SCHEDULE job SET (TIMEOUT = '5m')", new AlterAction.SetOptions(new ScheduleOptions { Timeout = TimeSpan.FromMinutes(5) }) },
        { "ALTER SCHEDULE job WITH (OVERLAP = SKIP)", new AlterAction.SetOptions(new ScheduleOptions { Overlap = OverlapPolicy.Skip }) },
    };

    [Theory]
    [MemberData(nameof(AlterCases))]
    public void Parses_every_alter_action(string sql, AlterAction expected)
    {
        var alter = Assert.IsType<AlterScheduleStatement>(DdlParser.Parse(sql));

        Assert.Equal("job", alter.Name);
        Assert.Equal(expected, alter.Action);
    }

    [Fact]
    public void Alter_apply_changes_only_what_was_asked()
    {
        var alter = Assert.IsType<AlterScheduleStatement>(DdlParser.Parse("ALTER SCHEDULE job SET (TIMEOUT = '5m', RETRIES = 0)"));

        var altered = alter.Apply(Current);

        Assert.Equal(Current with { Timeout = TimeSpan.FromMinutes(5), Retries = 0 }, altered);
    }

    [Theory]
    [InlineData("ALTER SCHEDULE job DISABLE", false)]
    [InlineData("ALTER SCHEDULE job ENABLE", true)]
    public void Alter_apply_enables_and_disables(string sql, bool enabled)
    {
        var alter = Assert.IsType<AlterScheduleStatement>(DdlParser.Parse(sql));

        Assert.Equal(enabled, alter.Apply(Current with { Enabled = !enabled }).Enabled);
    }

    [Fact]
    public void Alter_apply_sets_cron_and_body()
    {
        var cron = Assert.IsType<AlterScheduleStatement>(DdlParser.Parse("ALTER SCHEDULE job SET CRON '*/10 * * * * *'"));
        var body = Assert.IsType<AlterScheduleStatement>(DdlParser.Parse("ALTER SCHEDULE job SET BODY AS BEGIN DELETE FROM t; END"));

        Assert.Equal(Current with { Cron = "*/10 * * * * *" }, cron.Apply(Current));
        Assert.Equal(Current with { Body = "BEGIN DELETE FROM t; END" }, body.Apply(Current));
    }

    [Theory]
    [InlineData("DROP SCHEDULE job", "job", false)]
    [InlineData("drop schedule if exists \"Job\";", "job", true)]
    [InlineData("DROP SCHEDULE if", "if", false)]
    public void Parses_drop(string sql, string name, bool ifExists)
    {
        Assert.Equal(new DropScheduleStatement(name, ifExists), DdlParser.Parse(sql));
    }

    [Theory]
    [InlineData("SHOW SCHEDULES")]
    [InlineData("show schedules;")]
    public void Parses_show_schedules(string sql)
    {
        Assert.IsType<ShowSchedulesStatement>(DdlParser.Parse(sql));
    }

    [Theory]
    [InlineData("SHOW SCHEDULE HISTORY job", null)]
    [InlineData("SHOW SCHEDULE HISTORY Job LIMIT 5;", 5)]
    public void Parses_show_schedule_history(string sql, int? limit)
    {
        Assert.Equal(new ShowScheduleHistoryStatement("job", limit), DdlParser.Parse(sql));
    }

    [Theory]
    [InlineData("SELECT 1")]
    [InlineData("CREATE TABLE schedule (id int)")]
    [InlineData("SHOW search_path")]
    [InlineData("DROP TABLE schedules")]
    public void Anything_else_is_passed_through(string sql)
    {
        Assert.Equal(new OtherStatement(sql), DdlParser.Parse(sql));
    }
}
