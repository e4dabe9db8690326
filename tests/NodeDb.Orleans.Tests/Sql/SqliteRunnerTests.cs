using Microsoft.Data.Sqlite;
using NodeDb.Orleans.Grains.Running;
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
    public async Task A_tenant_connection_leaves_a_held_lock_to_SQLites_own_busy_handler_for_the_busy_timeout()
    {
        var host = await HostAsync(configure: o => o.SqliteBusyTimeout = TimeSpan.FromMilliseconds(2500));

        // Without busy_timeout (0), SQLite fails a locked file at once and Microsoft.Data.Sqlite sleeps 150 ms before each
        // retry, however soon the lock is free: a run behind another process's 20 ms commit would start 150 ms late.
        using var connection = host.Engines.Sqlite.Open(Tenant, SqliteOpenMode.ReadWriteCreate);
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA busy_timeout";

        Assert.Equal(2500L, (long)command.ExecuteScalar()!);
    }

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

    [Fact]
    public async Task Runs_queued_together_for_one_tenant_commit_in_one_transaction_each_in_its_own_savepoint()
    {
        var host = await HostAsync();
        var runs = new List<Task<JobOutcome>>();
        await using (await HoldLockAsync())
        {
            // The writer waits for the file's lock (another process holds it) while 40 runs queue behind it in process.
            for (var i = 0; i < 40; i++)
            {
                var body = i % 10 == 3
                    ? $"BEGIN INSERT INTO effects(v) VALUES ({i}); INSERT INTO uniques(k) VALUES (1); INSERT INTO uniques(k) VALUES (1); END"
                    : $"BEGIN INSERT INTO effects(v) VALUES ({i}); END";
                runs.Add(host.Runner.RunAsync(Request($"r-batch-{i}", body, retries: 0), Ct));
            }

            await Task.Delay(100, Ct);
        }

        var outcomes = await Task.WhenAll(runs);

        // A failing body rolls back its own savepoint only: its first insert is gone, the others' effects stay.
        for (var i = 0; i < 40; i++)
        {
            Assert.Equal(i % 10 == 3 ? RunStatus.Failed : RunStatus.Succeeded, outcomes[i].Status);
        }

        Assert.All(outcomes.Where(o => o.Status == RunStatus.Failed), o => Assert.Contains("UNIQUE constraint failed", o.Error, StringComparison.Ordinal));
        Assert.Equal(36, await CountEffectsAsync());
        Assert.Equal(36, Scalar("SELECT count(*) FROM nodedb_run_ledger WHERE run_id LIKE 'r-batch-%'"));
        Assert.Equal(0, Scalar("SELECT count(*) FROM nodedb_run_ledger WHERE run_id IN ('r-batch-3', 'r-batch-13', 'r-batch-23', 'r-batch-33')"));
    }

    [Fact]
    public async Task A_body_that_ends_the_whole_transaction_does_not_lose_or_double_the_runs_batched_with_it()
    {
        var host = await HostAsync();
        var runs = new List<Task<JobOutcome>>();
        await using (await HoldLockAsync())
        {
            for (var i = 0; i < 10; i++)
            {
                // INSERT OR ROLLBACK on a conflict rolls back the enclosing transaction, savepoints and all.
                var body = i == 5
                    ? "BEGIN INSERT INTO uniques(k) VALUES (7); INSERT OR ROLLBACK INTO uniques(k) VALUES (7); END"
                    : $"BEGIN INSERT INTO effects(v) VALUES ({i}); END";
                runs.Add(host.Runner.RunAsync(Request($"r-kill-{i}", body, retries: 0), Ct));
            }

            await Task.Delay(100, Ct);
        }

        var outcomes = await Task.WhenAll(runs);

        Assert.Equal(RunStatus.Failed, outcomes[5].Status);
        Assert.All(outcomes.Where((_, i) => i != 5), o => Assert.Equal(RunStatus.Succeeded, o.Status));
        Assert.Equal(9, await CountEffectsAsync());
        Assert.Equal(9, Scalar("SELECT count(DISTINCT v) FROM effects"));
        Assert.Equal(9, Scalar("SELECT count(*) FROM nodedb_run_ledger WHERE run_id LIKE 'r-kill-%'"));
        Assert.Equal(0, Scalar("SELECT count(*) FROM uniques"));
    }

    [Fact]
    public async Task A_run_that_times_out_inside_a_batch_rolls_back_alone()
    {
        var host = await HostAsync();
        var runs = new List<Task<JobOutcome>>();
        await using (await HoldLockAsync())
        {
            for (var i = 0; i < 6; i++)
            {
                var body = i == 2
                    ? $"BEGIN INSERT INTO effects(v) VALUES (-1); INSERT INTO effects(v) {LongRunningStatement.Replace("SELECT count(*)", "SELECT x", StringComparison.Ordinal)}; END"
                    : $"BEGIN INSERT INTO effects(v) VALUES ({i}); END";
                runs.Add(host.Runner.RunAsync(Request($"r-slow-{i}", body, retries: 0) with { Timeout = i == 2 ? TimeSpan.FromSeconds(2) : TimeSpan.FromSeconds(60) }, Ct));
            }

            await Task.Delay(100, Ct);
        }

        var outcomes = await Task.WhenAll(runs);

        Assert.Equal(RunStatus.TimedOut, outcomes[2].Status);
        Assert.All(outcomes.Where((_, i) => i != 2), o => Assert.Equal(RunStatus.Succeeded, o.Status));
        Assert.Equal(5, await CountEffectsAsync());
        Assert.Equal(0, Scalar("SELECT count(*) FROM effects WHERE v = -1"));
        Assert.Equal(5, Scalar("SELECT count(*) FROM nodedb_run_ledger WHERE run_id LIKE 'r-slow-%'"));
    }

    [Fact]
    public async Task The_ledger_probe_waits_for_a_transaction_that_is_inserting_the_run_id()
    {
        var host = await HostAsync();
        Assert.Equal(RunStatus.Succeeded, (await host.Runner.RunAsync(Request("r-first", "BEGIN INSERT INTO effects(v) VALUES (1); END"), Ct)).Status);
        using var other = Open();
        using var transaction = other.BeginTransaction(deferred: false);
        using (var insert = other.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO nodedb_run_ledger(run_id, schedule, committed_at) VALUES ('r-in-flight', 'job', 0)";
            insert.ExecuteNonQuery();
        }

        // Another process's transaction is inserting the id: the probe must not call it absent while it runs.
        var probe = host.Runner.WasCommittedAsync(Tenant, "r-in-flight", Ct);
        await Task.Delay(300, Ct);
        Assert.False(probe.IsCompleted);
        transaction.Commit();

        Assert.True(await probe);
    }

    private long Scalar(string sql)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                Directory.Delete(_dataDirectory, recursive: true);
                return;
            }
            catch (IOException) when (attempt < 10)
            {
                // A tenant writer still rolling back an interrupted statement can create its journal while the
                // directory is being deleted ("Directory not empty"): try again shortly.
                await Task.Delay(100);
            }
            catch (IOException)
            {
                return; // leftover temp files are harmless
            }
        }
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
