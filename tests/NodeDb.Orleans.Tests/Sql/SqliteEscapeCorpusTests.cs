using Microsoft.Data.Sqlite;
using NodeDb.Orleans.Grains.Running;
using NodeDb.Orleans.Grains.Sql.Execution;
using static SQLitePCL.raw;

namespace NodeDb.Orleans.Tests.Sql;

/// <summary>
/// The SQLite escape corpus: each item tries to leave the tenant (another tenant's file, the silo's own orleans.db),
/// to change the process or the pooled connection, to split the body from its transaction, or to forge the ledger.
/// Each runs as a schedule body and as ad-hoc SQL, must be refused with its reason, and must leave no trace.
/// </summary>
public sealed class SqliteEscapeCorpusTests : IAsyncLifetime
{
    private const string Attach = "ATTACH and DETACH would";
    private const string Pragma = "not on the read-only pragma allow-list";
    private const string Transaction = "transaction control";
    private const string LedgerWrite = "only the runner writes it";
    private const string LedgerSchema = "its schema, indexes and triggers are the runner's";
    private const string Temporary = "temporary objects";

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "nodedb-escape-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly string _attacker = "a" + Guid.NewGuid().ToString("N")[..10];
    private readonly string _victim = "b" + Guid.NewGuid().ToString("N")[..10];
    private RunnerHost _host = null!;

    /// <summary>Name, SQL ({victim}, {orleans}, {dir} are filled in), and the reason the refusal must give (a regex).</summary>
    public static TheoryData<string, string, string> Corpus { get; } = new()
    {
        { "attach another tenant", "ATTACH '{victim}' AS v", Attach },
        { "attach, lower case, DATABASE", "attach database '{victim}' as v", Attach },
        { "attach orleans.db after a comment, odd spacing, quoted alias", "/* x */ AtTaCh\n'{orleans}'\tAS \"v\"", Attach },
        { "attach a URI", "ATTACH 'file:{victim}?mode=ro' AS v", Attach },
        { "attach an expression", "ATTACH '{dir}' || '/orleans.db' AS v", Attach },
        { "alias begin, then attach", "SELECT 1 AS begin; ATTACH '{victim}' AS v; INSERT INTO effects SELECT count(*) FROM v.secrets", $"{Attach}|END|BEGIN" },
        { "alias end, then attach", "SELECT 1 AS end; ATTACH '{victim}' AS v", $"{Attach}|END" },
        { "attach hidden in a comment SQLite does not nest", "SELECT 1; /* /* */ ATTACH '{victim}' AS v; INSERT INTO effects SELECT count(*) FROM v.secrets; -- */", Attach },
        { "detach", "DETACH DATABASE temp", Attach },
        { "pragma hard_heap_limit", "PRAGMA hard_heap_limit=50000", Pragma },
        { "pragma, odd case and spacing", "pragma   HARD_HEAP_LIMIT   =   50000", Pragma },
        { "pragma, quoted name", "PRAGMA \"soft_heap_limit\" = 1", Pragma },
        { "pragma, schema-qualified", "PRAGMA main.cache_size = 1", Pragma },
        { "pragma writable_schema", "PRAGMA writable_schema = ON", Pragma },
        { "pragma journal_mode", "PRAGMA journal_mode = DELETE", Pragma },
        { "pragma user_version write", "PRAGMA user_version = 7", Pragma },
        { "pragma after a begin alias", "SELECT 1 AS begin; PRAGMA hard_heap_limit=50000", $"{Pragma}|END|BEGIN" },
        { "commit", "INSERT INTO effects(v) VALUES (5); COMMIT", Transaction },
        { "commit hidden in a comment SQLite does not nest", "INSERT INTO effects(v) VALUES (5); /* /* */ COMMIT; -- */", Transaction },
        { "end transaction", "INSERT INTO effects(v) VALUES (5); END TRANSACTION", $"{Transaction}|after the END" },
        { "rollback", "ROLLBACK", Transaction },
        { "begin immediate", "BEGIN IMMEDIATE TRANSACTION", $"{Transaction}|BEGIN" },
        { "savepoint", "SAVEPOINT s", Transaction },
        { "ledger insert", "INSERT INTO nodedb_run_ledger VALUES ('forged-1', 'job', 0)", LedgerWrite },
        { "ledger insert, quoted upper case", "insert into \"NODEDB_RUN_LEDGER\" (run_id, schedule, committed_at) values ('forged-2', 'job', 0)", LedgerWrite },
        { "ledger insert, schema-qualified", "INSERT INTO main.nodedb_run_ledger VALUES ('forged-3', 'job', 0)", LedgerWrite },
        { "ledger replace", "REPLACE INTO nodedb_run_ledger VALUES ('forged-4', 'job', 0)", LedgerWrite },
        { "ledger delete", "DELETE FROM nodedb_run_ledger", LedgerWrite },
        { "ledger update", "UPDATE nodedb_run_ledger SET run_id = 'forged-5'", LedgerWrite },
        { "ledger drop", "DROP TABLE nodedb_run_ledger", LedgerWrite },
        { "ledger rename", "ALTER TABLE nodedb_run_ledger RENAME TO old_ledger", LedgerSchema },
        { "ledger trigger that ignores the runner's insert", "CREATE TRIGGER t_ignore BEFORE INSERT ON nodedb_run_ledger BEGIN SELECT RAISE(IGNORE); END", LedgerSchema },
        { "ledger written by a trigger on the tenant's table", "CREATE TRIGGER t_forward AFTER INSERT ON effects BEGIN INSERT INTO nodedb_run_ledger VALUES ('forged-6', 'job', 0); END; INSERT INTO effects(v) VALUES (1)", LedgerWrite },
        { "temp table shadowing the ledger", "CREATE TEMP TABLE nodedb_run_ledger(run_id TEXT PRIMARY KEY, schedule TEXT, committed_at INT)", Temporary },
        { "temp trigger left on the pooled connection", "CREATE TEMP TRIGGER t_left AFTER INSERT ON effects BEGIN SELECT 1; END", Temporary },
        { "vacuum into a file", "VACUUM INTO '{dir}/tenants/evil.db'", "VACUUM" },
        { "load_extension", "SELECT load_extension('/tmp/x.so')", "loads native code" },
        { "a value too big for memory", "SELECT zeroblob(999999999)", "too big" },
        { "expression depth bomb", "SELECT " + string.Join(" + ", Enumerable.Repeat("1", 3000)), "Expression tree is too large" },
    };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string VictimPath => Path.Combine(_dir, "tenants", _victim + ".db");

    private string OrleansPath => Path.Combine(_dir, "orleans.db");

    public async ValueTask InitializeAsync()
    {
        _host = RunnerHost.Create(o => o.DataDirectory = _dir);
        await _host.Executor.ExecuteAsync(_victim, "CREATE TABLE secrets(s TEXT); INSERT INTO secrets VALUES ('b-only')", "bob", Ct);
        await _host.Executor.ExecuteAsync(_attacker, "CREATE TABLE effects(v INTEGER)", "eve", Ct);
        using var orleans = new SqliteConnection($"Data Source={OrleansPath};Pooling=False");
        orleans.Open();
        using var command = orleans.CreateCommand();
        command.CommandText = "CREATE TABLE grains(k TEXT); INSERT INTO grains VALUES ('every tenant''s schedules')";
        command.ExecuteNonQuery();
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public async Task Refused_as_a_body_with_no_effect(string name, string sql, string reason)
    {
        var outcome = await _host.Runner.RunAsync(Request("escape-body", $"BEGIN\n{Fill(sql)};\nEND"), Ct);

        Assert.True(outcome.Status == RunStatus.Failed, $"{name}: {outcome}");
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(outcome.Error ?? "", reason), outcome.Error);
        await AssertNoHarmAsync();
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public async Task Refused_as_ad_hoc_sql_with_no_effect(string name, string sql, string reason)
    {
        var error = await Assert.ThrowsAsync<NodeDbException>(() => _host.Executor.ExecuteAsync(_attacker, Fill(sql), "eve", Ct));

        Assert.True(error.Code == ErrorCodes.SqlError, name);
        Assert.Matches(reason, error.Message);
        await AssertNoHarmAsync();
    }

    [Fact]
    public async Task The_engine_refuses_what_the_lexer_cannot_see_and_says_why()
    {
        // The PostgreSQL-dialect lexer reads one statement here (it nests comments); SQLite reads three.
        const string body = "BEGIN\nSELECT 1; /* /* */ ATTACH 'x.db' AS v; -- */\nEND";

        var error = Assert.Throws<NodeDbException>(() => _host.Runner.ValidateBody(_attacker, body));

        Assert.Equal(ErrorCodes.BodyRejected, error.Code);
        Assert.Contains("statement 2 `/* /* */ ATTACH 'x.db' AS v`: refused by the tenant sandbox: ATTACH and DETACH", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_row_the_tenant_tried_to_forge_never_makes_history_say_recovered()
    {
        await Assert.ThrowsAsync<NodeDbException>(() =>
            _host.Executor.ExecuteAsync(_attacker, "INSERT INTO nodedb_run_ledger VALUES ('forged-run', 'job', 0)", "eve", Ct));

        Assert.False(await _host.Runner.WasCommittedAsync(_attacker, "forged-run", Ct));
        var outcome = await _host.Runner.RunAsync(Request("forged-run", "BEGIN INSERT INTO effects(v) VALUES (1); END"), Ct);
        Assert.Equal((RunStatus.Succeeded, 1), (outcome.Status, outcome.Attempt));
    }

    [Fact]
    public async Task Read_only_pragmas_and_reading_the_ledger_stay_allowed()
    {
        await _host.Runner.RunAsync(Request("r-ok", "BEGIN INSERT INTO effects(v) VALUES (1); END"), Ct);

        var info = await _host.Executor.ExecuteAsync(_attacker, "PRAGMA table_info(effects)", "eve", Ct);
        var version = await _host.Executor.ExecuteAsync(_attacker, "pragma user_version", "eve", Ct);
        var ledger = await _host.Executor.ExecuteAsync(_attacker, "SELECT run_id FROM nodedb_run_ledger", "eve", Ct);

        Assert.Equal("v", info.Rows.Single()[1]);
        Assert.Equal(0L, version.Rows.Single()[0]);
        Assert.Equal("r-ok", ledger.Rows.Single()[0]);
    }

    [Fact]
    public async Task A_pooled_connection_carries_nothing_from_one_run_to_the_next()
    {
        foreach (var sql in new[] { "PRAGMA cache_size = 1", "CREATE TEMP TABLE t(x)", $"ATTACH '{VictimPath}' AS v" })
        {
            await Assert.ThrowsAsync<NodeDbException>(() => _host.Executor.ExecuteAsync(_attacker, sql, "eve", Ct));
        }

        await _host.Executor.ExecuteAsync(_attacker, "CREATE TABLE kept(x); INSERT INTO kept VALUES (1)", "eve", Ct);
        var databases = await _host.Executor.ExecuteAsync(_attacker, "SELECT name FROM pragma_database_list ORDER BY seq", "eve", Ct);
        var temp = await _host.Executor.ExecuteAsync(_attacker, "SELECT count(*) FROM temp.sqlite_master", "eve", Ct);
        var cache = await _host.Executor.ExecuteAsync(_attacker, "SELECT cache_size FROM pragma_cache_size", "eve", Ct);

        Assert.Equal(["main"], databases.Rows.Select(r => (string)r[0]!).Where(n => n != "temp"));
        Assert.Equal(0L, temp.Rows.Single()[0]);
        Assert.NotEqual(1L, cache.Rows.Single()[0]);
    }

    private JobRequest Request(string runId, string body) => new()
    {
        Tenant = _attacker,
        Schedule = "job",
        RunId = runId,
        Body = body,
        Owner = "eve",
        Timeout = TimeSpan.FromSeconds(20),
        Retries = 0,
    };

    private string Fill(string sql) => sql
        .Replace("{victim}", VictimPath, StringComparison.Ordinal)
        .Replace("{orleans}", OrleansPath, StringComparison.Ordinal)
        .Replace("{dir}", _dir, StringComparison.Ordinal);

    /// <summary>Nothing left the tenant: other files untouched, no forged ledger row, the process and the pool intact.</summary>
    private async Task AssertNoHarmAsync()
    {
        Assert.Equal(0, sqlite3_hard_heap_limit64(-1));
        Assert.Equal(0, sqlite3_soft_heap_limit64(-1));
        Assert.Equal(1L, Scalar(VictimPath, "SELECT count(*) FROM secrets"));
        Assert.Equal(1L, Scalar(OrleansPath, "SELECT count(*) FROM grains"));
        Assert.False(File.Exists(Path.Combine(_dir, "tenants", "evil.db")));
        var attacker = Path.Combine(_dir, "tenants", _attacker + ".db");
        Assert.Equal(0L, Scalar(attacker, "SELECT count(*) FROM nodedb_run_ledger WHERE run_id LIKE 'forged%' OR run_id = 'escape-body'"));
        Assert.Equal(0L, Scalar(attacker, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' OR name = 'old_ledger'"));
        Assert.Equal(0L, Scalar(attacker, "SELECT count(*) FROM effects"));

        // The pool still serves both tenants normally.
        var after = await _host.Runner.RunAsync(Request("after-" + Guid.NewGuid().ToString("N")[..6], "BEGIN SELECT 1; END"), Ct);
        Assert.Equal((RunStatus.Succeeded, 1), (after.Status, after.Attempt));
        var secrets = await _host.Executor.ExecuteAsync(_victim, "SELECT s FROM secrets", "bob", Ct);
        Assert.Equal("b-only", secrets.Rows.Single()[0]);
    }

    private static long Scalar(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }
}
