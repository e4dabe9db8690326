using Microsoft.Data.Sqlite;
using NodeDb.Orleans.Grains.Schedules;
using NodeDb.Orleans.Grains.Scheduling;
using NodeDb.Orleans.Grains.Sql.Execution;
using NodeDb.Orleans.Grains.Sql.Text;

namespace NodeDb.Orleans.Tests.Sql;

/// <summary>Every input has a limit, and a refusal names the limit and its value.</summary>
public sealed class InputLimitTests : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "nodedb-limits-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly string _tenant = "t" + Guid.NewGuid().ToString("N")[..10];
    private RunnerHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _host = RunnerHost.Create(o =>
        {
            o.DataDirectory = _dir;
            o.AdHocMaxRows = 5;
            o.AdHocMaxResultBytes = 1024;
            o.AdHocMaxConcurrentPerTenant = 1;
        });
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void A_depth_bomb_is_refused_without_overflowing_the_stack()
    {
        const int levels = 200_000;
        var bomb = string.Concat(Enumerable.Repeat("BEGIN ", levels)) + "SELECT 1; " + string.Concat(Enumerable.Repeat("END; ", levels - 1)) + "END";

        var error = Assert.Throws<NodeDbException>(() => SqlBody.Parse(bomb));
        var viaRunner = Assert.Throws<NodeDbException>(() => _host.Runner.ValidateBody(_tenant, bomb));

        Assert.Equal(ErrorCodes.BodyRejected, error.Code);
        Assert.Contains($"MaxNestingDepth = {SqlBody.MaxNestingDepth}", error.Message, StringComparison.Ordinal);
        Assert.Contains("level 65", error.Message, StringComparison.Ordinal);
        Assert.Equal(error.Message, viaRunner.Message);
    }

    [Fact]
    public void A_depth_bomb_in_a_client_script_is_refused_without_overflowing_the_stack()
    {
        const int levels = 200_000;
        var bomb = string.Concat(Enumerable.Repeat("BEGIN ", levels)) + "SELECT 1; " + string.Concat(Enumerable.Repeat("END; ", levels - 1)) + "END";

        var asSchedule = Assert.Throws<NodeDbException>(() => Grains.Ddl.DdlParser.ParseScript($"CREATE SCHEDULE s CRON '0 * * * *' AS {bomb}"));
        var asAdHoc = Record.Exception(() => Grains.Ddl.DdlParser.ParseScript(bomb));

        Assert.Contains($"MaxNestingDepth = {SqlBody.MaxNestingDepth}", asSchedule.Message, StringComparison.Ordinal);
        Assert.True(asAdHoc is null or NodeDbException, asAdHoc?.ToString());
    }

    [Fact]
    public void Nesting_up_to_the_limit_is_accepted()
    {
        var levels = SqlBody.MaxNestingDepth;
        var deep = "BEGIN " + string.Concat(Enumerable.Repeat("IF 1 = 1 THEN ", levels)) + "PERFORM 1; " + string.Concat(Enumerable.Repeat("END IF; ", levels)) + "END";

        Assert.True(SqlBody.Parse(deep).IsProcedural);
    }

    [Theory]
    [InlineData("timeout", "must be positive and at most 1.00:00:00 (limit MaxTimeout)")]
    [InlineData("body", "The body is 65556 characters long: at most 65536 are accepted")]
    [InlineData("owner", "The owner is 129 characters long: at most 128 are accepted")]
    public void An_oversized_definition_is_refused_naming_the_limit(string what, string message)
    {
        var definition = new ScheduleDefinition { Tenant = _tenant, Name = "job", Cron = "0 * * * *", Body = "BEGIN SELECT 1; END" };
        definition = what switch
        {
            "timeout" => definition with { Timeout = TimeSpan.FromDays(50) },
            "body" => definition with { Body = "BEGIN SELECT '" + new string('x', 65_536) + "'; END" },
            _ => definition with { Owner = new string('o', 129) },
        };

        var error = Assert.Throws<NodeDbException>(() => ScheduleValidator.Validate(definition, definition.Key, ScheduleZone.Utc, _host.Runner));

        Assert.Equal(ErrorCodes.InvalidDefinition, error.Code);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_ad_hoc_result_is_cut_at_the_row_limit_and_says_so()
    {
        var result = await _host.Executor.ExecuteAsync(_tenant, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 100) SELECT x FROM c", "alice", Ct);

        Assert.Equal([1L, 2L, 3L, 4L, 5L], result.Rows.Select(r => (long)r[0]!));
        Assert.True(result.Truncated);
        Assert.Equal("AdHocMaxRows = 5", result.TruncatedBy);
    }

    [Fact]
    public async Task An_ad_hoc_result_is_cut_at_the_byte_limit_and_says_so()
    {
        var result = await _host.Executor.ExecuteAsync(_tenant, "SELECT zeroblob(600) UNION ALL SELECT zeroblob(600)", "alice", Ct);
        var small = await _host.Executor.ExecuteAsync(_tenant, "SELECT zeroblob(600)", "alice", Ct);

        Assert.Single(result.Rows);
        Assert.Equal("AdHocMaxResultBytes = 1024", result.TruncatedBy);
        Assert.False(small.Truncated);
        Assert.Equal("", small.TruncatedBy);
    }

    [Fact]
    public async Task One_ad_hoc_request_too_many_is_refused_naming_the_limit()
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var running = _host.Executor.ExecuteAsync(_tenant, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c", "alice", stop.Token);

        var error = await Assert.ThrowsAsync<NodeDbException>(() => _host.Executor.ExecuteAsync(_tenant, "SELECT 1", "alice", Ct));
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => running);
        var after = await _host.Executor.ExecuteAsync(_tenant, "SELECT 1", "alice", Ct);

        Assert.Contains("AdHocMaxConcurrentPerTenant = 1", error.Message, StringComparison.Ordinal);
        Assert.Equal(1L, after.Rows.Single()[0]);
    }
}
