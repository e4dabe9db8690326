using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using NodeDb.Orleans.Grains;
using NodeDb.Orleans.Grains.Sql.Execution;
using NodeDb.Orleans.Tests.Cluster;
using NodeDb.Orleans.Tests.Firing;
using NodeDb.Orleans.Security;
using NodeDb.Orleans.Tests.Security;

namespace NodeDb.Orleans.Tests.Client;

/// <summary>The server side of <c>nodedb sql</c>: DDL parsed and dispatched to the schedule grains, other SQL to the tenant's SQLite file.</summary>
[Collection(ClusterCollection.Name)]
public sealed class SqlSessionGrainTests
{
    private const string Body = "BEGIN INSERT INTO t (x) VALUES (1); END";

    private readonly Dictionary<string, string> _keys = new(StringComparer.Ordinal);

    /// <summary>A cluster with admin keys of tenant acme for alice and bob: the user a script runs as is its key's principal.</summary>
    private async Task<SchedulerCluster> StartAsync()
    {
        var cluster = await SchedulerCluster.StartAsync(silos: 1, storage: (silo, data) =>
        {
            silo.AddMemoryGrainStorage(StorageNames.Schedules);
            silo.UseInMemoryReminderService();
            silo.Services.AddNodeDbSql(o => o.DataDirectory = data);
        });
        foreach (var user in new[] { "alice", "bob" })
        {
            _keys[user] = await cluster.KeyAsync("acme", user, ApiKeyRole.Admin);
        }

        return cluster;
    }

    /// <summary>Runs a script with <paramref name="user"/>'s key; the name passed as the user argument is replaced by the silo anyway.</summary>
    private async Task<ImmutableArray<SqlStatementResult>> ExecAsync(ISqlSessionGrain session, string script, string user)
    {
        using (TestKeys.As(_keys[user]))
        {
            return await session.ExecuteAsync(script, user);
        }
    }

    [Fact]
    public async Task A_script_runs_tenant_sql_and_schedule_ddl_in_order_as_the_user()
    {
        await using var cluster = await StartAsync();
        var session = cluster.Client.GetGrain<ISqlSessionGrain>("acme");

        var results = await ExecAsync(session, 
            $"""
            CREATE TABLE t (x INTEGER);
            CREATE SCHEDULE "Nightly-Stats" CRON '0 3 * * *' TIMEZONE 'Europe/Berlin' WITH (OVERLAP = SKIP) AS {Body};
            INSERT INTO t (x) VALUES (7);
            SELECT x FROM t;
            SHOW SCHEDULES
            """,
            "alice");

        Assert.Equal(
            [SqlStatementKind.Query, SqlStatementKind.CreateSchedule, SqlStatementKind.Query, SqlStatementKind.Query, SqlStatementKind.ShowSchedules],
            results.Select(r => r.Kind));
        Assert.Equal(("CREATE SCHEDULE", "nightly-stats"), (results[1].Tag, results[1].Schedule));
        Assert.Equal([[7L]], results[3].Query!.Rows.Select(r => r.ToArray()));
        var listed = Assert.Single(results[4].Schedules);
        Assert.Equal(("nightly-stats", "alice", OverlapPolicy.Skip, "Europe/Berlin"), (
            listed.Definition.Name, listed.Definition.Owner, listed.Definition.Overlap, listed.Definition.TimeZone));
        Assert.Equal(Body, listed.Definition.Body);
    }

    [Fact]
    public async Task Create_if_not_exists_keeps_the_schedule_or_replace_replaces_it_and_plain_create_refuses()
    {
        await using var cluster = await StartAsync();
        var session = cluster.Client.GetGrain<ISqlSessionGrain>("acme");
        await ExecAsync(session, $"CREATE SCHEDULE s CRON '0 3 * * *' AS {Body}", "alice");

        var kept = Assert.Single(await ExecAsync(session, $"CREATE SCHEDULE IF NOT EXISTS s CRON '0 4 * * *' AS {Body}", "bob"));
        Assert.False(kept.Changed);
        Assert.Equal("0 3 * * *", (await cluster.Schedule("acme", "s").GetStatusAsync())!.Definition.Cron);

        var refused = await Assert.ThrowsAsync<NodeDbException>(() => ExecAsync(session, $"CREATE SCHEDULE s CRON '0 4 * * *' AS {Body}", "bob"));
        Assert.Equal(ErrorCodes.AlreadyExists, refused.Code);

        var replaced = Assert.Single(await ExecAsync(session, $"CREATE OR REPLACE SCHEDULE s CRON '0 5 * * *' AS {Body}", "bob"));
        Assert.True(replaced.Changed);
        Assert.Equal(("0 5 * * *", "bob"), (replaced.Schedules[0].Definition.Cron, replaced.Schedules[0].Definition.Owner));
    }

    [Fact]
    public async Task Alter_changes_only_what_it_names_and_missing_schedules_are_named_in_the_error()
    {
        await using var cluster = await StartAsync();
        var session = cluster.Client.GetGrain<ISqlSessionGrain>("acme");
        await ExecAsync(session, $"CREATE SCHEDULE s CRON '0 3 * * *' TIMEZONE 'Europe/Berlin' WITH (RETRIES = 3) AS {Body}", "alice");

        await ExecAsync(session, "ALTER SCHEDULE s SET CRON '*/10 * * * *'; ALTER SCHEDULE s DISABLE", "bob");

        var altered = (await cluster.Schedule("acme", "s").GetStatusAsync())!.Definition;
        Assert.Equal(("*/10 * * * *", "Europe/Berlin", 3, false, "alice"), (altered.Cron, altered.TimeZone, altered.Retries, altered.Enabled, altered.Owner));

        var missing = await Assert.ThrowsAsync<NodeDbException>(() => ExecAsync(session, "ALTER SCHEDULE nope ENABLE", "bob"));
        Assert.Equal(ErrorCodes.NotFound, missing.Code);
        Assert.Contains("'nope'", missing.Message);
        Assert.Contains("'acme'", missing.Message);

        var drop = await Assert.ThrowsAsync<NodeDbException>(() => ExecAsync(session, "DROP SCHEDULE nope", "bob"));
        Assert.Equal(ErrorCodes.NotFound, drop.Code);
        Assert.False(Assert.Single(await ExecAsync(session, "DROP SCHEDULE IF EXISTS nope", "bob")).Changed);
        Assert.True(Assert.Single(await ExecAsync(session, "DROP SCHEDULE s", "bob")).Changed);
        Assert.Null(await cluster.Schedule("acme", "s").GetStatusAsync());
    }

    [Fact]
    public async Task A_failing_statement_stops_the_script_and_says_which_one_and_what_already_ran()
    {
        await using var cluster = await StartAsync();
        var session = cluster.Client.GetGrain<ISqlSessionGrain>("acme");

        var error = await Assert.ThrowsAsync<NodeDbException>(() =>
            ExecAsync(session, "CREATE TABLE a (x INTEGER); CREATE SCHEDULE bad CRON '61 * * * *' AS BEGIN SELECT 1; END; CREATE TABLE b (x INTEGER)", "alice"));

        Assert.Equal(ErrorCodes.InvalidCron, error.Code);
        Assert.StartsWith("Statement 2 of 3 failed (the statement before it took effect): Cron expression '61 * * * *' is invalid", error.Message);
        var tables = await ExecAsync(session, "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('a', 'b')", "alice");
        Assert.Equal(["a"], tables[0].Query!.Rows.Select(r => (string)r[0]!));
    }

    [Fact]
    public async Task Show_schedule_history_returns_the_runs_newest_first_within_the_limit()
    {
        await using var cluster = await StartAsync();
        var session = cluster.Client.GetGrain<ISqlSessionGrain>("acme");
        await ExecAsync(session, "CREATE SCHEDULE every CRON '* * * * *' AS BEGIN SELECT 1; END", "alice");
        await cluster.AdvanceAsync(TimeSpan.Zero);
        await cluster.AdvanceAsync(TimeSpan.FromMinutes(1));
        await cluster.AdvanceAsync(TimeSpan.FromMinutes(1));

        var all = Assert.Single(await ExecAsync(session, "SHOW SCHEDULE HISTORY every", "alice")).History;
        var two = Assert.Single(await ExecAsync(session, "SHOW SCHEDULE HISTORY every LIMIT 2", "alice")).History;

        Assert.True(all.Length >= 2, $"expected at least 2 runs, got {all.Length}");
        Assert.Equal(all.Take(2).Select(r => r.RunId), two.Select(r => r.RunId));
        Assert.True(two[0].ScheduledAt > two[1].ScheduledAt);
        var missing = await Assert.ThrowsAsync<NodeDbException>(() => ExecAsync(session, "SHOW SCHEDULE HISTORY nope", "alice"));
        Assert.Equal(ErrorCodes.NotFound, missing.Code);
    }

    [Fact]
    public async Task Cron_preview_reads_the_expression_as_a_schedule_would_across_a_dst_switch()
    {
        await using var cluster = await StartAsync();
        var session = cluster.Client.GetGrain<ISqlSessionGrain>("acme");

        var preview = await session.PreviewCronAsync("30 2 * * *", "Europe/Berlin", new DateTimeOffset(2026, 3, 27, 12, 0, 0, TimeSpan.Zero), 3);

        Assert.Equal("Europe/Berlin", preview.Zone);
        Assert.Equal(TimeSpan.FromHours(1), preview.From.Offset);
        // 02:30 does not exist on 29 March (clocks jump 02:00 -> 03:00): Cronos fires at the first valid instant.
        Assert.Equal(
            [
                new DateTimeOffset(2026, 3, 28, 2, 30, 0, TimeSpan.FromHours(1)),
                new DateTimeOffset(2026, 3, 29, 3, 0, 0, TimeSpan.FromHours(2)),
                new DateTimeOffset(2026, 3, 30, 2, 30, 0, TimeSpan.FromHours(2)),
            ],
            preview.Occurrences);
        Assert.Equal([TimeSpan.FromHours(1), TimeSpan.FromHours(2), TimeSpan.FromHours(2)], preview.Occurrences.Select(o => o.Offset));

        var fromNow = await session.PreviewCronAsync("0 * * * *", null, null, 1);
        Assert.Equal(new DateTimeOffset(2026, 1, 5, 13, 0, 0, TimeSpan.Zero), Assert.Single(fromNow.Occurrences)); // after the fake clock's now

        var zone = await Assert.ThrowsAsync<NodeDbException>(() => session.PreviewCronAsync("* * * * *", "Mars/Olympus", null, 1));
        Assert.Equal(ErrorCodes.InvalidTimeZone, zone.Code);
        var count = await Assert.ThrowsAsync<NodeDbException>(() => session.PreviewCronAsync("* * * * *", null, null, 0));
        Assert.Contains("Count 0", count.Message);
    }

    [Fact]
    public async Task Health_lists_the_default_group_and_reflects_a_report()
    {
        await using var cluster = await StartAsync();
        var session = cluster.Client.GetGrain<ISqlSessionGrain>("acme");

        var before = Assert.Single(await session.GetHealthAsync(null));
        Assert.Equal(("0", true, null), (before.Group, before.Verdict.MayFire, before.Verdict.Report));

        await cluster.Client.GetGrain<IRaftHealthGrain>("0").ReportAsync(new RaftStatusReport { LeaderId = "n1", CommitIndex = 9, LastApplied = 4 });
        var after = Assert.Single(await session.GetHealthAsync("0"));
        Assert.False(after.Verdict.MayFire);
        Assert.Contains("lagging", after.Verdict.Reason);
    }
}
