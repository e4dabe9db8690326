using Npgsql;
using NodeDb.Orleans.Grains.Diagnostics;
using NodeDb.Orleans.Grains.Sql.Execution;
using NodeDb.Orleans.Silo.Telemetry;
using NodeDb.Orleans.Tests.Cluster;
using NodeDb.Orleans.Tests.Telemetry;
using OpenTelemetry.Trace;

namespace NodeDb.Orleans.Tests.Sql;

/// <summary>The runner contract on PostgreSQL (a database and a login role per tenant, the sealed ledger), plus PL/pgSQL bodies.</summary>
public sealed partial class PostgresRunnerTests(PostgresFixture pg) : RunnerEngineTests
{
    private string Database => "nodedb_" + Tenant;

    protected override string LongRunningStatement => "SELECT pg_sleep(30)";

    protected override string LockWaitPrefix => "SET LOCAL lock_timeout = '100ms'; ";

    [Fact]
    public async Task Raise_exception_fails_the_run_with_its_message_and_no_retry()
    {
        var host = await HostAsync();
        var outcome = await host.Runner.RunAsync(
            Request("r-raise", "BEGIN INSERT INTO effects(v) VALUES (1); RAISE EXCEPTION 'quota of % exceeded', 'acme'; END", retries: 3), Ct);

        Assert.Equal(RunStatus.Failed, outcome.Status);
        Assert.Equal(1, outcome.Attempt);
        Assert.Equal("quota of acme exceeded", outcome.Error);
        Assert.Equal(0, await CountEffectsAsync());
    }

    [Fact]
    public async Task An_attempt_span_has_Npgsql_command_spans_as_children_and_the_SQLSTATE_as_error_type()
    {
        var spans = new Captured<System.Diagnostics.Activity>();
        using var tracing = Tracing(spans);
        var host = await HostAsync();

        await host.Runner.RunAsync(Request("r-traced", "BEGIN INSERT INTO effects(v) VALUES (1); END"), Ct);
        await host.Runner.RunAsync(Request("r-traced-fail", "BEGIN RAISE EXCEPTION 'quota of % exceeded', 'acme'; END", retries: 0), Ct);
        tracing.ForceFlush();

        var attempt = Assert.Single(spans, s => s.GetTagItem(SchedulerTags.RunId) as string == "r-traced" && s.OperationName == SchedulerActivities.AttemptSpanName);
        Assert.Equal("Succeeded", attempt.GetTagItem(SchedulerTags.Outcome));
        var commands = spans.Where(s => s.ParentSpanId == attempt.SpanId).ToList();
        Assert.NotEmpty(commands);
        Assert.All(commands, c => Assert.Equal("Npgsql", c.Source.Name));
        Assert.All(commands, c => Assert.Equal(System.Diagnostics.ActivityKind.Client, c.Kind));
        Assert.All(commands, c => Assert.Equal(attempt.TraceId, c.TraceId));

        var failed = Assert.Single(spans, s => s.GetTagItem(SchedulerTags.RunId) as string == "r-traced-fail" && s.OperationName == SchedulerActivities.AttemptSpanName);
        Assert.Equal("Failed", failed.GetTagItem(SchedulerTags.Outcome));
        Assert.Equal("P0001", failed.GetTagItem(SchedulerTags.ErrorType)); // PL/pgSQL's raise_exception
        // The batch that failed is the attempt's child. (Npgsql 10.0.3 was seen to leave the batch's span without error status
        // when a later command than the first fails, as the body does in a run's batch; the SQLSTATE is on the attempt's span.)
        Assert.Contains(spans, s => s.ParentSpanId == failed.SpanId && s.Source.Name == "Npgsql");
    }

    [Fact]
    public async Task A_run_sends_one_batch_before_its_commit_however_many_statements_its_body_has()
    {
        // Npgsql traces each command or batch it sends: one span per round trip to the server.
        var spans = new Captured<System.Diagnostics.Activity>();
        using var tracing = Tracing(spans);
        var host = await HostAsync();

        // A warm pool, as under load: the first run also opens the physical connection (traced as a span of its own).
        await host.Runner.RunAsync(Request("r-trips-0", "BEGIN INSERT INTO effects(v) VALUES (0); END"), Ct);
        var one = await host.Runner.RunAsync(Request("r-trips-1", "BEGIN INSERT INTO effects(v) VALUES (1); END"), Ct);
        var three = await host.Runner.RunAsync(
            Request("r-trips-3", "BEGIN INSERT INTO effects(v) VALUES (1); INSERT INTO effects(v) VALUES (2); INSERT INTO effects(v) VALUES (3); END"), Ct);
        var again = await host.Runner.RunAsync(Request("r-trips-1", "BEGIN INSERT INTO effects(v) VALUES (1); END"), Ct);
        tracing.ForceFlush();

        Assert.Equal([RunStatus.Succeeded, RunStatus.Succeeded, RunStatus.Succeeded], [one.Status, three.Status, again.Status]);
        Assert.Equal(SqlJobRunner.RecoveredReason, again.Reason);
        Assert.Equal(5, await CountEffectsAsync());

        // Before issue 15: ledger, login defaults, settings, each statement, login defaults again: 5 and 7 round trips, then
        // COMMIT; then two batches. Now one batch carries the savepoint, reset, settings, ledger row, body and checks of a
        // run (of every run of a group), and COMMIT follows under no attempt's span (it is the group's).
        var trips = spans
            .Where(s => s.OperationName == SchedulerActivities.AttemptSpanName)
            .Select(a => (Run: a.GetTagItem(SchedulerTags.RunId) as string, Trips: spans.Count(c => c.ParentSpanId == a.SpanId && c.Source.Name == "Npgsql")))
            .Where(a => a.Run is "r-trips-1" or "r-trips-3")
            .ToList();
        Assert.Equal([("r-trips-1", 1), ("r-trips-3", 1), ("r-trips-1", 1)], trips);
    }

    [Fact]
    public async Task The_body_of_a_run_id_already_committed_never_runs_not_even_in_a_rolled_back_transaction()
    {
        // A sequence is not transactional: a body that ran and was rolled back would still have advanced it.
        var host = await HostAsync();
        await host.Executor.ExecuteAsync(Tenant, "CREATE SEQUENCE IF NOT EXISTS calls", "alice", Ct);
        var request = Request("r-seq", "BEGIN INSERT INTO effects(v) SELECT nextval('calls'); END");

        var first = await host.Runner.RunAsync(request, Ct);
        var again = await host.Runner.RunAsync(request, Ct);

        Assert.Equal((RunStatus.Succeeded, RunStatus.Succeeded), (first.Status, again.Status));
        Assert.Equal(SqlJobRunner.RecoveredReason, again.Reason);
        Assert.Equal(1L, await pg.ScalarAsync(Database, "SELECT last_value FROM calls"));
        Assert.Equal(1, await CountEffectsAsync());
    }

    [Fact]
    public async Task A_database_without_the_sealed_ledger_fails_the_run_saying_to_run_the_setup_script()
    {
        // A database the operator never ran scripts/postgres/tenant-setup.sql in: the ledger function is missing.
        var bare = await pg.CreateDatabaseAsync("bare_" + Tenant);
        await pg.ExecuteAsync(bare, "CREATE TABLE effects(v int)");
        await using var host = RunnerHost.Create(o =>
        {
            o.Engine = TenantDatabaseEngine.Postgres;
            o.PostgresConnections[Tenant] = pg.ConnectionString(bare);
            o.PostgresLedgerKey = pg.LedgerKey;
        });

        var outcome = await host.Runner.RunAsync(Request("r-bare", "BEGIN INSERT INTO effects(v) VALUES (1); END", retries: 0), Ct);

        Assert.Equal(RunStatus.Failed, outcome.Status);
        Assert.Contains("no sealed run ledger", outcome.Error, StringComparison.Ordinal);
        Assert.Contains("tenant-setup.sql", outcome.Error, StringComparison.Ordinal);
        Assert.Equal(0L, await pg.ScalarAsync(bare, "SELECT count(*) FROM effects"));
    }

    [Fact]
    public async Task Prepare_opens_the_tenants_first_connection_before_its_first_run()
    {
        // What a schedule activating on a silo that has just started does: the login and Npgsql's type loading happen
        // before the first run there, not in its lateness (S6: ~200 ms late runs on each freshly restarted silo).
        var host = await HostAsync();
        var tenantSessions = $"SELECT count(*) FROM pg_stat_activity WHERE datname = '{Database}' AND usename <> current_user";
        Assert.Equal(0L, await pg.ScalarAsync("postgres", tenantSessions));

        host.Runner.Prepare(Tenant);
        host.Runner.Prepare(Tenant); // once per tenant
        await Until.TrueAsync(async () => await pg.ScalarAsync("postgres", tenantSessions) is not 0L, TimeSpan.FromSeconds(10));
        Assert.Equal(1L, await pg.ScalarAsync("postgres", tenantSessions)); // opened, and kept in the pool for the run
        Assert.Equal(RunStatus.Succeeded, (await host.Runner.RunAsync(Request("r-prepared", "BEGIN INSERT INTO effects(v) VALUES (1); END"), Ct)).Status);
        Assert.Equal(1L, await pg.ScalarAsync("postgres", tenantSessions));
    }

    [Fact]
    public async Task A_procedural_body_runs_as_plpgsql_in_the_server()
    {
        var host = await HostAsync();
        const string body = """
            BEGIN
              DECLARE n INT := 0;
              LOOP
                n := n + 1;
                INSERT INTO effects(v) VALUES (n);
                EXIT WHEN n >= 3;
              END LOOP;
              IF n = 3 THEN
                INSERT INTO effects(v) VALUES (100);
              END IF;
            EXCEPTION WHEN unique_violation THEN
              RAISE EXCEPTION 'unexpected';
            END
            """;

        host.Runner.ValidateBody(Tenant, body);
        var outcome = await host.Runner.RunAsync(Request("r-plpgsql", body), Ct);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal(4, await CountEffectsAsync());
        Assert.Equal(106L, await pg.ScalarAsync(Database, "SELECT sum(v) FROM effects"));
    }

    [Fact]
    public async Task A_commit_whose_answer_is_lost_is_settled_from_the_ledger_not_reported_failed()
    {
        var host = await HostAsync();
        // The server committed, then the connection broke before the answer arrived.
        host.Faults.Once(RunSeam.AfterCommit, (_, _) => throw new IOException("connection reset by peer (test)"));

        var outcome = await host.Runner.RunAsync(Request("r-lost-ack", "BEGIN INSERT INTO effects(v) VALUES (1); END", retries: 0), Ct);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal(SqlJobRunner.LostCommitAnswerReason, outcome.Reason);
        Assert.False(outcome.Uncertain);
        Assert.Equal(1, await CountEffectsAsync());
    }

    [Fact]
    public async Task A_serialization_failure_is_retried_until_the_retries_are_used()
    {
        var host = await HostAsync();
        var outcome = await host.Runner.RunAsync(
            Request("r-40001", "BEGIN INSERT INTO effects(v) VALUES (1); RAISE EXCEPTION 'conflict' USING ERRCODE = 'serialization_failure'; END", retries: 2), Ct);

        Assert.Equal(RunStatus.Failed, outcome.Status);
        Assert.Equal(3, outcome.Attempt);
        Assert.Equal(2, host.Faults.Reached.Count(r => r.Seam == RunSeam.BetweenAttempts));
        Assert.Equal(0, await CountEffectsAsync());
    }

    [Fact]
    public async Task A_job_cannot_read_another_tenants_database()
    {
        var host = await HostAsync();
        var other = "other" + Guid.NewGuid().ToString("N")[..8];
        await pg.CreateTenantAsync(other);
        await host.Executor.ExecuteAsync(other, "CREATE TABLE secrets(s text); INSERT INTO secrets VALUES ('b-only')", "bob", Ct);

        var outcome = await host.Runner.RunAsync(Request("r-cross", "BEGIN INSERT INTO effects(v) SELECT count(*) FROM secrets; END"), Ct);

        Assert.Equal(RunStatus.Failed, outcome.Status);
        Assert.Contains("relation \"secrets\" does not exist", outcome.Error, StringComparison.Ordinal);
        Assert.Equal(0, await CountEffectsAsync());
    }

    [Fact]
    public async Task With_role_switching_a_job_has_only_its_tenant_roles_rights()
    {
        // Both tenants in one database, each in its own schema and role: only SET LOCAL ROLE keeps A out of B.
        var shared = await pg.CreateDatabaseAsync("shared_" + Tenant);
        var (a, b) = ("a" + Tenant, "b" + Tenant);
        await pg.ExecuteAsync(shared, $"""
            CREATE ROLE role_{a} NOLOGIN; CREATE ROLE role_{b} NOLOGIN;
            CREATE SCHEMA {a} AUTHORIZATION role_{a}; CREATE SCHEMA {b} AUTHORIZATION role_{b};
            CREATE TABLE {a}.effects(v int, who text, owner text); ALTER TABLE {a}.effects OWNER TO role_{a};
            CREATE TABLE {b}.secrets(s text); ALTER TABLE {b}.secrets OWNER TO role_{b};
            INSERT INTO {b}.secrets VALUES ('b-only');
            """);
        var connection = pg.ConnectionString(shared);
        await using var host = RunnerHost.Create(o =>
        {
            o.Engine = TenantDatabaseEngine.Sqlite;
            o.PostgresConnections[a] = connection;
            o.PostgresConnections[b] = connection;
            o.PostgresRoleTemplate = "role_{tenant}";
        });

        var allowed = await host.Runner.RunAsync(
            Request("r-own", $"BEGIN INSERT INTO {a}.effects VALUES (1, current_user, current_setting('nodedb.owner')); END", owner: "alice") with { Tenant = a }, Ct);
        var denied = await host.Runner.RunAsync(
            Request("r-steal", $"BEGIN INSERT INTO {a}.effects(v) SELECT count(*) FROM {b}.secrets; END") with { Tenant = a }, Ct);

        Assert.Equal(RunStatus.Succeeded, allowed.Status);
        Assert.Equal($"role_{a}|alice", await pg.ScalarAsync(shared, $"SELECT who || '|' || owner FROM {a}.effects"));
        Assert.Equal(RunStatus.Failed, denied.Status);
        Assert.Contains($"permission denied for schema {b}", denied.Error, StringComparison.Ordinal);
        Assert.Equal(1L, await pg.ScalarAsync(shared, $"SELECT count(*) FROM {a}.effects"));
    }

    [Fact]
    public async Task A_huge_ad_hoc_value_is_cut_while_it_streams_and_the_result_says_so()
    {
        var host = await HostAsync(configure: o => o.AdHocMaxResultBytes = 4096);

        var text = await host.Executor.ExecuteAsync(Tenant, "SELECT 1 AS n, 'small' AS s UNION ALL SELECT 2, repeat('x', 50000000)", "alice", Ct);
        var blob = await host.Executor.ExecuteAsync(Tenant, "SELECT decode(repeat('ab', 30000000), 'hex') AS b", "alice", Ct);
        var json = await host.Executor.ExecuteAsync(Tenant, "SELECT '{\"a\": 1}'::jsonb AS j, 'é'::text AS t", "alice", Ct);

        Assert.Equal([1L, "small"], text.Rows.Single());
        Assert.Equal("AdHocMaxResultBytes = 4096", text.TruncatedBy);
        Assert.Empty(blob.Rows);
        Assert.True(blob.Truncated);
        Assert.Equal(["{\"a\": 1}", "é"], json.Rows.Single());
        Assert.False(json.Truncated);
    }

    [Fact]
    public async Task The_ledger_probe_waits_for_a_run_still_open_on_the_same_id_instead_of_answering_absent()
    {
        var host = await HostAsync();
        var run = host.Runner.RunAsync(Request("r-open", "BEGIN INSERT INTO effects(v) VALUES (1); SELECT pg_sleep(1.5); END"), Ct);

        // The run's transaction holds its ledger row, uncommitted, while its body sleeps.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await pg.ScalarAsync("postgres", $"SELECT count(*) FROM pg_stat_activity WHERE datname = '{Database}' AND query LIKE '%pg_sleep(1.5)%' AND state = 'active'") is not (long and > 0))
        {
            Assert.True(DateTime.UtcNow < deadline, "the run's body never started");
            await Task.Delay(20, Ct);
        }

        // A lock-free read would say "absent" now, and the run would be dispatched again beside itself (a split brain):
        // the probe waits for the open transaction and answers with its outcome.
        Assert.True(await host.Runner.WasCommittedAsync(Tenant, "r-open", Ct));
        Assert.Equal(RunStatus.Succeeded, (await run).Status);
        Assert.Equal(1, await CountEffectsAsync());

        // And for an id nobody holds, the probe leaves nothing behind: it rolled its own insert back.
        Assert.False(await host.Runner.WasCommittedAsync(Tenant, "r-never", Ct));
        Assert.False(await host.Runner.WasCommittedAsync(Tenant, "r-never", Ct));
        Assert.Equal(0L, await pg.ScalarAsync(Database, "SELECT count(*) FROM nodedb.run_ledger WHERE run_id = 'r-never'"));
    }

    [Fact]
    public async Task A_lost_database_is_reported_as_unknown_not_as_never_ran()
    {
        await pg.EnsureStartedAsync();
        await using var host = RunnerHost.Create(o =>
        {
            o.Engine = TenantDatabaseEngine.Postgres;
            o.PostgresConnectionTemplate = "Host=127.0.0.1;Port=1;Username=postgres;Database=nodedb_{tenant};Timeout=2";
        });

        Assert.Null(await host.Runner.WasCommittedAsync(Tenant, "r-any", Ct));
    }

    protected override void Configure(TenantDatabaseOptions options)
    {
        options.Engine = TenantDatabaseEngine.Postgres;
        // Set up as docs/operations.md prescribes: a login role per tenant, the sealed ledger.
        options.PostgresConnectionTemplate = pg.TenantConnectionTemplate;
        options.PostgresLedgerKey = pg.LedgerKey;
    }

    protected override async Task CreateTenantDatabaseAsync()
    {
        if (await DatabaseExistsAsync())
        {
            return;
        }

        await pg.CreateTenantAsync(Tenant);
        var role = PostgresFixture.TenantRole(Tenant);
        await pg.ExecuteAsync(Database, $"CREATE TABLE effects(v int); CREATE TABLE uniques(k int PRIMARY KEY); ALTER TABLE effects OWNER TO {role}; ALTER TABLE uniques OWNER TO {role};");
    }

    protected override async Task<long> CountEffectsAsync() => (long)(await pg.ScalarAsync(Database, "SELECT count(*) FROM effects"))!;

    protected override async Task<long> CountLedgerRowsAsync(string runId) =>
        (long)(await pg.ScalarAsync(Database, $"SELECT count(*) FROM nodedb.run_ledger WHERE run_id = '{runId.Replace("'", "''", StringComparison.Ordinal)}'"))!;

    protected override async Task<IAsyncDisposable> HoldLockAsync()
    {
        var connection = new NpgsqlConnection(pg.ConnectionString(Database));
        await connection.OpenAsync(Ct);
        var transaction = await connection.BeginTransactionAsync(Ct);
        await using var command = new NpgsqlCommand("LOCK TABLE effects IN ACCESS EXCLUSIVE MODE", connection, transaction);
        await command.ExecuteNonQueryAsync(Ct);
        return new LockHolder(connection, transaction);
    }

    private async Task<bool> DatabaseExistsAsync()
    {
        await pg.EnsureStartedAsync();
        return await pg.ScalarAsync("postgres", $"SELECT count(*) FROM pg_database WHERE datname = '{Database}'") is 1L;
    }

    private sealed class LockHolder(NpgsqlConnection connection, NpgsqlTransaction transaction) : IAsyncDisposable
    {
        private int _released;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                await transaction.RollbackAsync();
                await connection.DisposeAsync();
            }
        }
    }

    /// <summary>The product's tracing set-up, exporting into <paramref name="spans"/>.</summary>
    private static TracerProvider Tracing(Captured<System.Diagnostics.Activity> spans) =>
        OpenTelemetry.Sdk.CreateTracerProviderBuilder().AddNodeDbTracing().AddInMemoryExporter(spans).Build();
}
