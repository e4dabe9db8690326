using Npgsql;
using NodeDb.Orleans.Grains.Running;
using NodeDb.Orleans.Grains.Sql.Execution;

namespace NodeDb.Orleans.Tests.Sql;

/// <summary>
/// The PostgreSQL escape corpus, on the set-up docs/operations.md prescribes (a login role per tenant, the sealed
/// ledger): each item tries to regain the superuser, read or write server files, run a program, forge or drop the
/// ledger, or change the tenant's login defaults. Each runs as a body and as ad-hoc SQL and must fail, leaving no trace.
/// </summary>
public sealed class PostgresEscapeCorpusTests(PostgresFixture pg) : IAsyncLifetime
{
    private const string Denied = "permission denied|must be superuser|must be owner|must be a member";

    // One pair of tenants and one runner for the whole class: PostgreSQL has few connection slots, and every item
    // asserts that it left no trace, so sharing them is itself a check.
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static (string Attacker, string Victim, RunnerHost Host)? _shared;

    private readonly string _marker = Path.Combine(Path.GetTempPath(), "nodedb-escaped-" + Guid.NewGuid().ToString("N")[..8]);
    private string _attacker = "";
    private string _victim = "";
    private RunnerHost _host = null!;

    /// <summary>Name, SQL ({victim_role} and {marker} are filled in), and the reason the refusal must give (a regex).</summary>
    public static TheoryData<string, string, string> Corpus { get; } = new()
    {
        { "reset role, then read a server file", "RESET ROLE; SELECT pg_read_file('/etc/passwd')", "permission denied for function pg_read_file" },
        { "reset role, odd case and spacing, then run a program", "reset   ROLE; copy (select 1) to program 'touch {marker}'", "pg_execute_server_program" },
        { "set role to the superuser", "SET ROLE postgres", "permission denied to set role" },
        { "set local role to the ledger owner", "SET LOCAL ROLE nodedb_ledger_owner", "permission denied to set role" },
        { "set role, quoted", "SET ROLE \"postgres\"", "permission denied to set role" },
        { "set session authorization", "SET SESSION AUTHORIZATION postgres", "permission denied to set session authorization" },
        { "set session authorization default, then read a file", "SET SESSION AUTHORIZATION DEFAULT; SELECT pg_read_file('/etc/passwd')", "permission denied for function pg_read_file" },
        { "copy to program", "COPY (SELECT 1) TO PROGRAM 'touch {marker}'", "pg_execute_server_program" },
        { "copy from a server file", "COPY effects FROM '/etc/passwd'", "pg_read_server_files" },
        { "copy to a server file", "COPY effects TO '{marker}'", "pg_write_server_files" },
        { "pg_read_file", "SELECT pg_read_file('/etc/passwd')", "permission denied for function pg_read_file" },
        { "pg_read_binary_file, upper case, comment", "SELECT /* x */ PG_READ_BINARY_FILE('/etc/passwd')", "permission denied for function pg_read_binary_file" },
        { "pg_ls_dir", "SELECT pg_ls_dir('.')", "permission denied for function pg_ls_dir" },
        { "lo_import", "SELECT lo_import('/etc/passwd')", "permission denied for function lo_import" },
        { "lo_export", "SELECT lo_export(lo_create(0), '{marker}')", "permission denied for function lo_export" },
        { "alter own role: superuser", "ALTER ROLE CURRENT_USER SUPERUSER", Denied },
        { "alter own role: createrole", "ALTER ROLE CURRENT_USER CREATEROLE", Denied },
        { "alter own role: a superuser-only setting", "ALTER ROLE CURRENT_USER SET session_preload_libraries = 'x'", "permission denied to set parameter" },
        { "alter own role: a login default", "ALTER ROLE CURRENT_USER SET search_path = public", "changed the login defaults" },
        { "alter own role, then forge the runner's check column", "ALTER ROLE CURRENT_USER SET search_path = public; SELECT '' AS nodedb_login_defaults", "changed the login defaults" },
        { "alter own role in this database: a login default", "ALTER ROLE CURRENT_USER IN DATABASE current SET statement_timeout = 1", "changed the login defaults|does not exist" },
        { "alter another tenant's role", "ALTER ROLE {victim_role} SET search_path = public", Denied },
        { "take the other tenant's role", "GRANT {victim_role} TO CURRENT_USER", "permission denied|must have admin option" },
        { "ledger insert", "INSERT INTO nodedb.run_ledger VALUES ('forged-1', 'job', now())", "permission denied for table run_ledger" },
        { "ledger delete", "DELETE FROM nodedb.run_ledger", "permission denied for table run_ledger" },
        { "ledger update", "UPDATE nodedb.run_ledger SET run_id = 'forged-2'", "permission denied for table run_ledger" },
        { "ledger drop", "DROP TABLE nodedb.run_ledger", Denied },
        { "ledger truncate", "TRUNCATE nodedb.run_ledger", "permission denied for table run_ledger" },
        { "ledger trigger", "CREATE FUNCTION public.f() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NULL; END'; CREATE TRIGGER t BEFORE INSERT ON nodedb.run_ledger FOR EACH ROW EXECUTE FUNCTION public.f()", Denied },
        { "record_run without the key", "SELECT nodedb.record_run('forged-3', 'job', now(), repeat('0', 64))", "the MAC does not match" },
        { "prune_runs without the key", "SELECT nodedb.prune_runs(99999999999999, repeat('0', 64))", "the MAC does not match" },
        { "read the ledger key", "SELECT secret FROM nodedb.ledger_key", "permission denied for table ledger_key" },
        { "replace the ledger function", "CREATE OR REPLACE FUNCTION nodedb.record_run(a text, b text, c timestamptz, d text) RETURNS boolean LANGUAGE sql AS 'SELECT true'", Denied },
        { "make the ledger function run as the caller", "ALTER FUNCTION nodedb.record_run(text, text, timestamptz, text) SECURITY INVOKER", Denied },
    };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string AttackerDb => "nodedb_" + _attacker;

    public async ValueTask InitializeAsync()
    {
        await Gate.WaitAsync(Ct);
        try
        {
            if (_shared is null)
            {
                var (attacker, victim) = ("a" + Guid.NewGuid().ToString("N")[..10], "b" + Guid.NewGuid().ToString("N")[..10]);
                await pg.CreateTenantAsync(attacker);
                await pg.CreateTenantAsync(victim);
                var host = RunnerHost.Create(o =>
                {
                    o.Engine = TenantDatabaseEngine.Postgres;
                    o.PostgresConnectionTemplate = pg.TenantConnectionTemplate;
                    o.PostgresLedgerKey = pg.LedgerKey;
                });
                await host.Executor.ExecuteAsync(attacker, "CREATE TABLE effects(v int); CREATE TABLE proof(v int)", "eve", Ct);
                await host.Executor.ExecuteAsync(victim, "CREATE TABLE secrets(s text); INSERT INTO secrets VALUES ('b-only')", "bob", Ct);
                _shared = (attacker, victim, host);
            }

            (_attacker, _victim, _host) = _shared.Value;
        }
        finally
        {
            Gate.Release();
        }
    }

    public ValueTask DisposeAsync()
    {
        File.Delete(_marker);
        return ValueTask.CompletedTask;
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
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(error.Message, reason), error.Message);
        await AssertNoHarmAsync();
    }

    [Fact]
    public async Task A_tenant_cannot_see_or_cancel_another_tenants_query_nor_connect_to_its_database()
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var victimQuery = _host.Executor.ExecuteAsync(_victim, "SELECT pg_sleep(30), 'victim-marker'", "bob", stop.Token);
        var role = PostgresFixture.TenantRole(_victim);
        while (await pg.ScalarAsync("postgres", $"SELECT count(*) FROM pg_stat_activity WHERE usename = '{role}' AND query LIKE '%victim-marker%'") is 0L)
        {
            await Task.Delay(20, Ct);
        }

        var seen = await _host.Executor.ExecuteAsync(_attacker, $"SELECT query FROM pg_stat_activity WHERE usename = '{role}'", "eve", Ct);
        var cancel = await Assert.ThrowsAsync<NodeDbException>(() =>
            _host.Executor.ExecuteAsync(_attacker, $"SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE usename = '{role}'", "eve", Ct));
        var terminate = await Assert.ThrowsAsync<NodeDbException>(() =>
            _host.Executor.ExecuteAsync(_attacker, $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{role}'", "eve", Ct));
        var connect = await Assert.ThrowsAsync<PostgresException>(async () =>
        {
            var asAttacker = pg.TenantConnectionTemplate.Replace("Username=tenant_{tenant}", "Username=" + PostgresFixture.TenantRole(_attacker), StringComparison.Ordinal)
                .Replace("{tenant}", _victim, StringComparison.Ordinal);
            await using var connection = new NpgsqlConnection(asAttacker);
            await connection.OpenAsync(Ct);
        });

        Assert.NotEmpty(seen.Rows);
        Assert.All(seen.Rows, r => Assert.Equal("<insufficient privilege>", r[0]));
        Assert.Matches("permission denied to cancel query|must be a member of the role", cancel.Message);
        Assert.Matches("permission denied to terminate process|must be a member of the role", terminate.Message);
        Assert.Contains("permission denied for database", connect.MessageText, StringComparison.Ordinal);
        Assert.False(victimQuery.IsCompleted);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => victimQuery);
    }

    [Fact]
    public async Task A_row_the_tenant_tried_to_forge_never_makes_history_say_recovered()
    {
        await Assert.ThrowsAsync<NodeDbException>(() =>
            _host.Executor.ExecuteAsync(_attacker, "SELECT nodedb.record_run('guessed-run', 'job', now(), repeat('0', 64))", "eve", Ct));

        Assert.False(await _host.Runner.WasCommittedAsync(_attacker, "guessed-run", Ct));
        var outcome = await _host.Runner.RunAsync(Request("guessed-run", "BEGIN INSERT INTO proof(v) VALUES (1); END"), Ct);
        var again = await _host.Runner.RunAsync(Request("guessed-run", "BEGIN INSERT INTO proof(v) VALUES (1); END"), Ct);

        Assert.Equal((RunStatus.Succeeded, 1), (outcome.Status, outcome.Attempt));
        Assert.Equal(SqlJobRunner.RecoveredReason, again.Reason);
        Assert.Equal(1L, await pg.ScalarAsync(AttackerDb, "SELECT count(*) FROM proof"));
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
        .Replace("{victim_role}", PostgresFixture.TenantRole(_victim), StringComparison.Ordinal)
        .Replace("{marker}", _marker, StringComparison.Ordinal);

    private async Task AssertNoHarmAsync()
    {
        var role = PostgresFixture.TenantRole(_attacker);
        Assert.False(File.Exists(_marker));
        Assert.Equal(1L, await pg.ScalarAsync("nodedb_" + _victim, "SELECT count(*) FROM secrets"));
        Assert.Equal(0L, await pg.ScalarAsync(AttackerDb, "SELECT count(*) FROM nodedb.run_ledger WHERE run_id LIKE 'forged%' OR run_id = 'escape-body'"));
        Assert.Equal(0L, await pg.ScalarAsync(AttackerDb, "SELECT count(*) FROM effects"));
        Assert.Equal(0L, await pg.ScalarAsync("postgres", $"SELECT count(*) FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole WHERE r.rolname IN ('{role}', '{PostgresFixture.TenantRole(_victim)}')"));
        Assert.Equal(false, await pg.ScalarAsync("postgres", $"SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = '{role}'"));
        Assert.Equal(0L, await pg.ScalarAsync("postgres", $"SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member WHERE r.rolname IN ('{role}', '{PostgresFixture.TenantRole(_victim)}')"));
        Assert.Equal("SECURITY DEFINER", await pg.ScalarAsync(AttackerDb, "SELECT CASE WHEN prosecdef THEN 'SECURITY DEFINER' ELSE 'INVOKER' END FROM pg_proc WHERE proname = 'record_run'"));

        var after = await _host.Runner.RunAsync(Request("after-" + Guid.NewGuid().ToString("N")[..6], "BEGIN SELECT 1; END"), Ct);
        Assert.Equal((RunStatus.Succeeded, 1), (after.Status, after.Attempt));
    }
}
