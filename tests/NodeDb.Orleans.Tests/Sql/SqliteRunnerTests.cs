using Microsoft.Data.Sqlite;
using NodeDb.Orleans.Grains.Sql.Execution;

namespace NodeDb.Orleans.Tests.Sql;

/// <summary>The runner contract on the embedded engine, plus what is SQLite's own.</summary>
public sealed class SqliteRunnerTests : RunnerEngineTests
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "nodedb-sqlite-" + Guid.NewGuid().ToString("N")[..12]);

    protected override string LongRunningStatement => "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c";

    // SQLite waits for a lock for SqliteBusyTimeout (1 s in these tests), then fails busy.
    protected override string LockWaitPrefix => "";

    private string DatabasePath => Path.Combine(_dataDirectory, "tenants", Tenant + ".db");

    [Fact]
    public async Task A_procedural_body_is_refused_at_create_and_at_fire_time_saying_why()
    {
        var host = await HostAsync();
        const string body = "BEGIN DECLARE n INT; IF 1 = 1 THEN INSERT INTO effects(v) VALUES (1); END IF; END";

        var error = Assert.Throws<NodeDbException>(() => host.Runner.ValidateBody(Tenant, body));
        var outcome = await host.Runner.RunAsync(Request("r-proc", body), Ct);

        Assert.Equal(ErrorCodes.BodyRejected, error.Code);
        Assert.Contains("procedural", error.Message, StringComparison.Ordinal);
        Assert.Contains("SQLite", error.Message, StringComparison.Ordinal);
        Assert.Equal(RunStatus.Failed, outcome.Status);
        Assert.Equal(error.Message, outcome.Error);
        Assert.Equal(0, await CountEffectsAsync());
    }

    [Theory]
    [InlineData("BEGIN INSERT INTO effects(v) VALUES (1); COMMIT; INSERT INTO effects(v) VALUES (2); END", "'COMMIT' at 1:42 is transaction control")]
    [InlineData("BEGIN ATTACH DATABASE 'other.db' AS other; INSERT INTO effects SELECT v FROM other.effects; END", "beyond the tenant's own database")]
    [InlineData("BEGIN SAVEPOINT s; INSERT INTO effects(v) VALUES (1); END", "'SAVEPOINT' at 1:7 is transaction control")]
    public async Task A_body_that_would_leave_its_transaction_or_its_tenant_is_refused(string body, string reason)
    {
        var host = await HostAsync();

        var error = Assert.Throws<NodeDbException>(() => host.Runner.ValidateBody(Tenant, body));

        Assert.Equal(ErrorCodes.BodyRejected, error.Code);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_job_cannot_read_another_tenants_database()
    {
        var host = await HostAsync();
        var other = "other" + Guid.NewGuid().ToString("N")[..8];
        await host.Executor.ExecuteAsync(other, "CREATE TABLE secrets(s TEXT); INSERT INTO secrets VALUES ('b-only')", "bob", Ct);

        var outcome = await host.Runner.RunAsync(Request("r-cross", "BEGIN INSERT INTO effects(v) SELECT count(*) FROM secrets; END"), Ct);

        Assert.Equal(RunStatus.Failed, outcome.Status);
        Assert.Contains("no such table: secrets", outcome.Error, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_dataDirectory, "tenants", other + ".db")));
        Assert.Equal(0, await CountEffectsAsync());
    }

    [Fact]
    public async Task Busy_without_retries_fails_after_one_attempt_as_retryable()
    {
        var host = await HostAsync();
        await using var holder = await HoldLockAsync();

        var outcome = await host.Runner.RunAsync(Request("r-busy", "BEGIN INSERT INTO effects(v) VALUES (1); END", retries: 0), Ct);

        Assert.Equal(RunStatus.Failed, outcome.Status);
        Assert.Equal(1, outcome.Attempt);
        Assert.Contains("SQLite error 5", outcome.Error, StringComparison.Ordinal);
        Assert.Contains("retries", outcome.Reason, StringComparison.Ordinal);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    protected override void Configure(TenantDatabaseOptions options) => options.DataDirectory = _dataDirectory;

    protected override Task CreateTenantDatabaseAsync()
    {
        if (File.Exists(DatabasePath))
        {
            return Task.CompletedTask;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL; CREATE TABLE effects(v INTEGER); CREATE TABLE uniques(k INTEGER PRIMARY KEY);";
        command.ExecuteNonQuery();
        return Task.CompletedTask;
    }

    protected override Task<long> CountEffectsAsync()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM effects";
        return Task.FromResult((long)command.ExecuteScalar()!);
    }

    protected override Task<long> CountLedgerRowsAsync(string runId)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM nodedb_run_ledger WHERE run_id = $id";
        command.Parameters.AddWithValue("$id", runId);
        return Task.FromResult((long)command.ExecuteScalar()!);
    }

    protected override Task<IAsyncDisposable> HoldLockAsync()
    {
        var connection = Open();
        var transaction = connection.BeginTransaction(deferred: false);
        return Task.FromResult<IAsyncDisposable>(new LockHolder(connection, transaction));
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=false");
        connection.Open();
        return connection;
    }

    private sealed class LockHolder(SqliteConnection connection, SqliteTransaction transaction) : IAsyncDisposable
    {
        private int _released;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                transaction.Rollback();
                transaction.Dispose();
                connection.Dispose();
            }

            return ValueTask.CompletedTask;
        }
    }
}
