using NodeDb.Orleans.Grains.Ddl;

namespace NodeDb.Orleans.Tests.Ddl;

public sealed class CreateScheduleParseTests
{
    private static CreateScheduleStatement ParseCreate(string sql) => Assert.IsType<CreateScheduleStatement>(DdlParser.Parse(sql));

    [Theory]
    [InlineData("CREATE SCHEDULE cron_job CRON '0 0 * * *' AS BEGIN RETURN 1; END", "cron_job", "0 0 * * *")]
    [InlineData("CREATE SCHEDULE mycron CRON '*/5 * * * *' AS BEGIN RETURN 1; END", "mycron", "*/5 * * * *")]
    [InlineData("CREATE SCHEDULE cron CRON '0 3 * * *' AS BEGIN RETURN 1; END", "cron", "0 3 * * *")]
    [InlineData("create schedule Nightly cron '@daily' as begin return 1; end;", "nightly", "@daily")]
    [InlineData("CREATE SCHEDULE \"Cron-Job\" CRON '0 0 * * *' AS BEGIN RETURN 1; END", "cron-job", "0 0 * * *")]
    [InlineData("CREATE SCHEDULE nightly-cleanup CRON '0 2 * * *' AS BEGIN RETURN 1; END", "nightly-cleanup", "0 2 * * *")]
    [InlineData("CREATE SCHEDULE s CRON 'it''s' AS BEGIN RETURN 1; END", "s", "it's")]
    public void Reads_name_and_cron_by_position_not_by_substring(string sql, string name, string cron)
    {
        var create = ParseCreate(sql);

        Assert.Equal(name, create.Name);
        Assert.Equal(cron, create.Cron);
    }

    [Fact]
    public void A_body_containing_AS_is_kept_whole()
    {
        var create = ParseCreate("CREATE SCHEDULE agg CRON '0 * * * *' AS BEGIN INSERT INTO t SELECT a AS b FROM c WHERE x; END;");

        Assert.Equal("BEGIN INSERT INTO t SELECT a AS b FROM c WHERE x; END", create.Body);
    }

    [Fact]
    public void The_multi_line_form_with_newlines_before_WITH_and_AS_parses()
    {
        const string sql = """
            CREATE SCHEDULE nightly_cleanup
            CRON '0 2 * * *'
            WITH (ALLOW_OVERLAP = false,
                  MISSED = CATCH_UP)
            AS
            BEGIN
                DELETE FROM sessions WHERE expires_at < now();
                INSERT INTO maintenance_log VALUES ('nightly_cleanup', now());
            END;
            """;

        var create = ParseCreate(sql);

        Assert.Equal("nightly_cleanup", create.Name);
        Assert.Equal("0 2 * * *", create.Cron);
        Assert.Equal(OverlapPolicy.Skip, create.Options.Overlap);
        Assert.Equal(MissedPolicy.CatchUp, create.Options.Missed);
        Assert.StartsWith("BEGIN\n    DELETE FROM sessions", create.Body, StringComparison.Ordinal);
        Assert.EndsWith("now());\nEND", create.Body, StringComparison.Ordinal);
    }

    [Fact]
    public void Scope_and_with_inside_the_body_or_a_string_are_not_options()
    {
        var create = ParseCreate("CREATE SCHEDULE s CRON '0 * * * *' AS BEGIN INSERT INTO notes VALUES (' SCOPE LOCAL WITH (MISSED = QUEUE)'); WITH x AS (SELECT 1) SELECT * FROM x LIMIT 1; END");

        Assert.Equal(ScheduleScope.Normal, create.Scope);
        Assert.Equal(ScheduleOptions.None, create.Options);
    }

    [Theory]
    [InlineData("CREATE SCHEDULE s CRON '0 * * * *' TIMEZONE 'Europe/Berlin' SCOPE LOCAL WITH (RETRIES = 2) AS BEGIN RETURN 1; END")]
    [InlineData("CREATE SCHEDULE s WITH (RETRIES = 2) SCOPE LOCAL TIMEZONE 'Europe/Berlin' CRON '0 * * * *' AS BEGIN RETURN 1; END")]
    [InlineData("CREATE SCHEDULE s -- a comment\n  SCOPE /* here */ LOCAL\n  TIME ZONE 'Europe/Berlin'\n  CRON '0 * * * *'\n  WITH ( RETRIES = 2 )\n  AS BEGIN RETURN 1; END")]
    public void Clauses_come_in_any_order_with_comments_and_newlines(string sql)
    {
        var create = ParseCreate(sql);

        Assert.Equal("0 * * * *", create.Cron);
        Assert.Equal("Europe/Berlin", create.TimeZone);
        Assert.Equal(ScheduleScope.Local, create.Scope);
        Assert.Equal(2, create.Options.Retries);
    }

    [Theory]
    [InlineData("CREATE SCHEDULE s CRON '* * * * *' AS BEGIN RETURN 1; END", false, false)]
    [InlineData("CREATE OR REPLACE SCHEDULE s CRON '* * * * *' AS BEGIN RETURN 1; END", true, false)]
    [InlineData("CREATE SCHEDULE IF NOT EXISTS s CRON '* * * * *' AS BEGIN RETURN 1; END", false, true)]
    public void Reads_or_replace_and_if_not_exists(string sql, bool orReplace, bool ifNotExists)
    {
        var create = ParseCreate(sql);

        Assert.Equal(orReplace, create.OrReplace);
        Assert.Equal(ifNotExists, create.IfNotExists);
        Assert.Equal("s", create.Name);
    }

    [Fact]
    public void Reads_every_option()
    {
        var create = ParseCreate("""
            CREATE SCHEDULE s CRON '* * * * *' WITH (
              overlap = buffer_one, MISSED = 'queue', QUEUE_CAP = 7, TIMEOUT = '1h30m', RETRIES = 0,
              TARGET = Sales."Daily", START = '2026-01-01T00:00:00+01:00', END = '2027-01-01')
            AS BEGIN RETURN 1; END
            """);

        var expected = new ScheduleOptions
        {
            Overlap = OverlapPolicy.BufferOne,
            Missed = MissedPolicy.Queue,
            QueueCap = 7,
            Timeout = TimeSpan.FromMinutes(90),
            Retries = 0,
            Target = "sales.Daily",
            StartAt = new DateTimeOffset(2025, 12, 31, 23, 0, 0, TimeSpan.Zero),
            EndAt = new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero),
        };
        Assert.Equal(expected, create.Options);
    }

    [Theory]
    [InlineData("ALLOW_OVERLAP = true", OverlapPolicy.Allow)]
    [InlineData("ALLOW_OVERLAP = FALSE", OverlapPolicy.Skip)]
    [InlineData("ALLOW_OVERLAP = false, OVERLAP = CANCEL_PREVIOUS", OverlapPolicy.CancelPrevious)]
    [InlineData("OVERLAP = SKIP, ALLOW_OVERLAP = false", OverlapPolicy.Skip)]
    [InlineData("ALLOW_OVERLAP = true, OVERLAP = ALLOW", OverlapPolicy.Allow)]
    public void Allow_overlap_maps_to_an_overlap_policy(string with, OverlapPolicy expected)
    {
        var create = ParseCreate($"CREATE SCHEDULE s CRON '* * * * *' WITH ({with}) AS BEGIN RETURN 1; END");

        Assert.Equal(expected, create.Options.Overlap);
    }

    [Theory]
    [InlineData("TIMEOUT = '90s'", 90_000)]
    [InlineData("TIMEOUT = 90s", 90_000)]
    [InlineData("TIMEOUT = 45", 45_000)]
    [InlineData("TIMEOUT = '500ms'", 500)]
    [InlineData("TIMEOUT = '00:05:00'", 300_000)]
    public void Reads_timeouts_in_every_form(string with, int milliseconds)
    {
        var create = ParseCreate($"CREATE SCHEDULE s CRON '* * * * *' WITH ({with}) AS BEGIN RETURN 1; END");

        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), create.Options.Timeout);
    }

    [Fact]
    public void ToDefinition_carries_every_clause_and_leaves_unset_options_null()
    {
        var create = ParseCreate("CREATE SCHEDULE agg CRON '*/5 * * * *' SCOPE LOCAL WITH (MISSED = CATCH_UP) AS BEGIN INSERT INTO stats SELECT 1; END;");

        var definition = create.ToDefinition("acme", "alice");

        var expected = new ScheduleDefinition
        {
            Tenant = "acme",
            Name = "agg",
            Cron = "*/5 * * * *",
            Body = "BEGIN INSERT INTO stats SELECT 1; END",
            Scope = ScheduleScope.Local,
            Missed = MissedPolicy.CatchUp,
            Owner = "alice",
        };
        Assert.Equal(expected, definition);
        Assert.Null(definition.Timeout);
        Assert.Null(definition.Target);
        Assert.Null(definition.TimeZone);
    }

    [Fact]
    public void A_procedural_body_with_nested_ends_is_read_to_its_own_end()
    {
        var create = ParseCreate("CREATE SCHEDULE p CRON '* * * * *' AS BEGIN IF true THEN LOOP EXIT; END LOOP; END IF; BEGIN RETURN 1; END; END;");

        Assert.Equal("BEGIN IF true THEN LOOP EXIT; END LOOP; END IF; BEGIN RETURN 1; END; END", create.Body);
    }
}
