using NodeDb.Orleans.Grains.Running;
using NodeDb.Orleans.Grains.Sql.Execution;

namespace NodeDb.Orleans.Tests.Sql;

/// <summary>
/// The group commit of PostgreSQL runs (<c>PostgresTenantWriter</c>): runs of one tenant queued together share one
/// transaction, each in its own savepoint with its own ledger row, and nothing of one body reaches the next.
/// </summary>
/// <remarks>
/// Each test first parks a run on a table lock (<see cref="BlockAsync"/>): the runs queued behind it go to a second lane
/// once the first has stalled, and run there as one group while the lock is still held. Each body records
/// <c>txid_current()</c>, so a test sees which runs shared a transaction; with one transaction per run (before the
/// group commit) every such assertion fails.
/// </remarks>
public sealed partial class PostgresRunnerTests
{
    [Fact]
    public async Task Runs_queued_together_commit_in_one_transaction_and_a_failing_one_rolls_back_alone()
    {
        var host = await GroupHostAsync();
        await using var block = await BlockAsync(host);
        var runs = new List<Task<JobOutcome>>();
        for (var i = 0; i < 12; i++)
        {
            var body = i % 4 == 1
                ? $"BEGIN {Record($"r-g-{i}")} INSERT INTO uniques(k) VALUES (1); INSERT INTO uniques(k) VALUES (1); END"
                : $"BEGIN {Record($"r-g-{i}")} END";
            runs.Add(host.Runner.RunAsync(Request($"r-g-{i}", body, retries: 0), Ct));
        }

        // They finish while the first run still waits for its lock: a long body does not hold the tenant's other runs.
        var outcomes = await Task.WhenAll(runs).WaitAsync(TimeSpan.FromSeconds(30), Ct);

        for (var i = 0; i < 12; i++)
        {
            Assert.Equal(i % 4 == 1 ? RunStatus.Failed : RunStatus.Succeeded, outcomes[i].Status);
            Assert.Equal(i % 4 == 1 ? 0 : 1, await CountLedgerRowsAsync($"r-g-{i}"));
        }

        Assert.All(outcomes.Where(o => o.Status == RunStatus.Failed), o => Assert.Contains("duplicate key", o.Error, StringComparison.Ordinal));

        // The failed runs' first statements rolled back with their savepoints; the others' effects stayed, in one transaction.
        Assert.Equal(9L, await pg.ScalarAsync(Database, "SELECT count(*) FROM txs"));
        Assert.Equal(0L, await pg.ScalarAsync(Database, "SELECT count(*) FROM txs WHERE run IN ('r-g-1', 'r-g-5', 'r-g-9')"));
        Assert.Equal(0L, await pg.ScalarAsync(Database, "SELECT count(*) FROM uniques"));
        Assert.True((long)(await pg.ScalarAsync(Database, "SELECT count(DISTINCT tx) FROM txs"))! < 9, "the queued runs did not share a transaction");

        await block.ReleaseAsync();
        Assert.Equal(RunStatus.Succeeded, (await block.Run).Status);
    }

    [Fact]
    public async Task Nothing_a_body_sets_in_its_session_reaches_the_next_run_of_its_group()
    {
        var host = await GroupHostAsync();
        var role = PostgresFixture.TenantRole(Tenant);
        await pg.ExecuteAsync(Database, $"CREATE ROLE helper_{Tenant} NOLOGIN; GRANT helper_{Tenant} TO {role}; GRANT INSERT ON txs, seen TO helper_{Tenant};");
        await using var block = await BlockAsync(host);

        // The first body leaves every kind of session state it can; the second records what it finds.
        var leaver = host.Runner.RunAsync(Request("r-leave", $"""
            BEGIN
            {Record("r-leave")}
            SET LOCAL search_path = nowhere, public;
            SET statement_timeout = 1234;
            SELECT pg_catalog.set_config('nodedb.owner', 'mallory', true);
            SELECT pg_catalog.set_config('app.flag', 'leaked', false);
            SELECT pg_catalog.pg_advisory_lock(42);
            CREATE TEMP TABLE scratch(x int);
            SET LOCAL ROLE helper_{Tenant};
            END
            """, retries: 0), Ct);
        var reader = host.Runner.RunAsync(Request("r-read", $"""
            BEGIN
            {Record("r-read")}
            INSERT INTO public.seen VALUES (
                pg_catalog.current_setting('search_path'),
                pg_catalog.current_setting('statement_timeout'),
                pg_catalog.current_setting('nodedb.owner'),
                coalesce(pg_catalog.current_setting('app.flag', true), ''),
                current_user::text,
                (SELECT count(*) FROM pg_catalog.pg_class WHERE relnamespace = pg_catalog.pg_my_temp_schema()),
                (SELECT count(*) FROM pg_catalog.pg_locks WHERE locktype = 'advisory' AND pid = pg_catalog.pg_backend_pid()));
            CREATE TEMP TABLE scratch(x int);
            END
            """, retries: 0, owner: "bob"), Ct);
        var outcomes = await Task.WhenAll(leaver, reader).WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.All(outcomes, o => Assert.Equal(RunStatus.Succeeded, o.Status));
        Assert.Equal(1L, await pg.ScalarAsync(Database, "SELECT count(DISTINCT tx) FROM txs"));
        Assert.Equal(
            $"\"$user\", public|0|bob||{role}|0|0",
            await pg.ScalarAsync(Database, "SELECT search_path || '|' || timeout || '|' || owner || '|' || flag || '|' || usr || '|' || temps || '|' || locks FROM seen"));
        await block.ReleaseAsync();
    }

    [Fact]
    public async Task A_run_id_already_in_the_ledger_never_runs_its_body_inside_a_group()
    {
        var host = await GroupHostAsync();
        Assert.Equal(RunStatus.Succeeded, (await host.Runner.RunAsync(Request("r-dup", "BEGIN INSERT INTO effects(v) VALUES (1); END"), Ct)).Status);
        await using var block = await BlockAsync(host);

        var outcomes = await Task.WhenAll(
            host.Runner.RunAsync(Request("r-d-1", $"BEGIN {Record("r-d-1")} END"), Ct),
            host.Runner.RunAsync(Request("r-dup", $"BEGIN {Record("r-dup")} END"), Ct),
            host.Runner.RunAsync(Request("r-d-2", $"BEGIN {Record("r-d-2")} END"), Ct)).WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.All(outcomes, o => Assert.Equal(RunStatus.Succeeded, o.Status));
        Assert.Equal(SqlJobRunner.RecoveredReason, outcomes[1].Reason);
        Assert.Equal(0L, await pg.ScalarAsync(Database, "SELECT count(*) FROM txs WHERE run = 'r-dup'"));
        Assert.Equal(1L, await pg.ScalarAsync(Database, "SELECT count(DISTINCT tx) FROM txs WHERE run IN ('r-d-1', 'r-d-2')"));
        Assert.Equal(1, await CountLedgerRowsAsync("r-dup"));
        await block.ReleaseAsync();
    }

    [Fact]
    public async Task A_body_that_times_out_in_a_group_rolls_back_alone_and_the_runs_after_it_commit()
    {
        var host = await GroupHostAsync();
        await using var block = await BlockAsync(host);
        var runs = new List<Task<JobOutcome>>();
        for (var i = 0; i < 5; i++)
        {
            var body = i == 2 ? $"BEGIN {Record("r-t-2")} SELECT pg_catalog.pg_sleep(30); END" : $"BEGIN {Record($"r-t-{i}")} END";
            runs.Add(host.Runner.RunAsync(Request($"r-t-{i}", body, retries: 0, timeout: i == 2 ? TimeSpan.FromSeconds(1) : null), Ct));
        }

        var outcomes = await Task.WhenAll(runs).WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.Equal(RunStatus.TimedOut, outcomes[2].Status);
        Assert.All(outcomes.Where((_, i) => i != 2), o => Assert.Equal(RunStatus.Succeeded, o.Status));
        Assert.Equal(0, await CountLedgerRowsAsync("r-t-2"));
        Assert.Equal(0L, await pg.ScalarAsync(Database, "SELECT count(*) FROM txs WHERE run = 'r-t-2'"));
        Assert.Equal(4L, await pg.ScalarAsync(Database, "SELECT count(*) FROM txs"));
        Assert.Equal(1L, await pg.ScalarAsync(Database, "SELECT count(DISTINCT tx) FROM txs"));
        await block.ReleaseAsync();
    }

    [Fact]
    public async Task A_commit_refused_for_one_run_of_a_group_fails_that_run_only()
    {
        var host = await GroupHostAsync();
        await pg.ExecuteAsync(Database, $"CREATE TABLE deferred(k int UNIQUE DEFERRABLE INITIALLY DEFERRED); ALTER TABLE deferred OWNER TO {PostgresFixture.TenantRole(Tenant)};");
        await using var block = await BlockAsync(host);
        var runs = new List<Task<JobOutcome>>();
        for (var i = 0; i < 5; i++)
        {
            // Run 3's duplicate key is only checked at COMMIT, which rolls back the whole group.
            var body = i == 3
                ? $"BEGIN {Record("r-c-3")} INSERT INTO deferred VALUES (3); INSERT INTO deferred VALUES (3); END"
                : $"BEGIN {Record($"r-c-{i}")} INSERT INTO deferred VALUES ({i + 10}); END";
            runs.Add(host.Runner.RunAsync(Request($"r-c-{i}", body, retries: 0), Ct));
        }

        var outcomes = await Task.WhenAll(runs).WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.Equal(RunStatus.Failed, outcomes[3].Status);
        Assert.Contains("duplicate key", outcomes[3].Error, StringComparison.Ordinal);
        Assert.All(outcomes.Where((_, i) => i != 3), o => Assert.Equal(RunStatus.Succeeded, o.Status));
        Assert.All(outcomes, o => Assert.Equal(1, o.Attempt));
        Assert.Equal(4L, await pg.ScalarAsync(Database, "SELECT count(*) FROM txs"));
        Assert.Equal(0, await CountLedgerRowsAsync("r-c-3"));
        Assert.Equal(4L, await pg.ScalarAsync(Database, "SELECT count(*) FROM deferred"));
        await block.ReleaseAsync();
    }

    [Fact]
    public async Task A_body_that_sets_constraint_timing_runs_in_a_transaction_of_its_own()
    {
        var host = await GroupHostAsync();
        await pg.ExecuteAsync(Database, $"CREATE TABLE deferred(k int UNIQUE DEFERRABLE INITIALLY DEFERRED); ALTER TABLE deferred OWNER TO {PostgresFixture.TenantRole(Tenant)};");
        await using var block = await BlockAsync(host);

        // The second body relies on its constraint's own timing (deferred): a duplicate it removes before the end is fine.
        var outcomes = await Task.WhenAll(
            host.Runner.RunAsync(Request("r-s-1", $"BEGIN {Record("r-s-1")} SET CONSTRAINTS ALL IMMEDIATE; END", retries: 0), Ct),
            host.Runner.RunAsync(Request("r-s-2", $"BEGIN {Record("r-s-2")} INSERT INTO deferred VALUES (1); INSERT INTO deferred VALUES (1); DELETE FROM deferred; END", retries: 0), Ct),
            host.Runner.RunAsync(Request("r-s-3", $"BEGIN {Record("r-s-3")} END", retries: 0), Ct)).WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.All(outcomes, o => Assert.Equal(RunStatus.Succeeded, o.Status));
        Assert.Equal(1L, await pg.ScalarAsync(Database, "SELECT count(DISTINCT tx) FROM txs WHERE run IN ('r-s-2', 'r-s-3')"));
        Assert.Equal(0L, await pg.ScalarAsync(Database, "SELECT count(*) FROM txs a JOIN txs b ON a.tx = b.tx WHERE a.run = 'r-s-1' AND b.run <> 'r-s-1'"));
        await block.ReleaseAsync();
    }

    [Fact]
    public async Task A_body_that_changes_the_login_defaults_in_a_group_fails_and_the_others_commit_without_it()
    {
        var host = await GroupHostAsync();
        await using var block = await BlockAsync(host);
        var runs = new List<Task<JobOutcome>>();
        for (var i = 0; i < 4; i++)
        {
            // Run 1 also forges a column like the runner's own check, which must not stand in for it.
            var body = i == 1
                ? $"BEGIN {Record("r-l-1")} ALTER ROLE CURRENT_USER SET search_path = public; SELECT '' AS nodedb_login_defaults; END"
                : $"BEGIN {Record($"r-l-{i}")} END";
            runs.Add(host.Runner.RunAsync(Request($"r-l-{i}", body, retries: 0), Ct));
        }

        var outcomes = await Task.WhenAll(runs).WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.Equal(RunStatus.Failed, outcomes[1].Status);
        Assert.Contains("changed the login defaults", outcomes[1].Error, StringComparison.Ordinal);
        Assert.All(outcomes.Where((_, i) => i != 1), o => Assert.Equal(RunStatus.Succeeded, o.Status));
        Assert.All(outcomes, o => Assert.Equal(1, o.Attempt));
        Assert.Equal(0, await CountLedgerRowsAsync("r-l-1"));
        Assert.Equal(0L, await pg.ScalarAsync(Database, "SELECT count(*) FROM txs WHERE run = 'r-l-1'"));
        Assert.Equal(3L, await pg.ScalarAsync(Database, "SELECT count(*) FROM txs"));
        Assert.Equal(0L, await pg.ScalarAsync("postgres", $"SELECT count(*) FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole WHERE r.rolname = '{PostgresFixture.TenantRole(Tenant)}'"));
        await block.ReleaseAsync();
    }

    private static string Record(string run) => $"INSERT INTO public.txs VALUES ('{run}', pg_catalog.txid_current());";

    private async Task<RunnerHost> GroupHostAsync()
    {
        var host = await HostAsync();
        var role = PostgresFixture.TenantRole(Tenant);
        await pg.ExecuteAsync(Database, $"""
            CREATE TABLE txs(run text, tx bigint); ALTER TABLE txs OWNER TO {role};
            CREATE TABLE seen(search_path text, timeout text, owner text, flag text, usr text, temps bigint, locks bigint); ALTER TABLE seen OWNER TO {role};
            """);
        return host;
    }

    /// <summary>Holds a lock on <c>effects</c> and parks a run on it: the lane that runs it stalls.</summary>
    private async Task<Blocked> BlockAsync(RunnerHost host, RunSlot? slot = null)
    {
        var holder = await HoldLockAsync();
        var run = host.Runner.RunAsync(Request("r-block", "BEGIN INSERT INTO effects(v) VALUES (0); END", retries: 0, timeout: TimeSpan.FromSeconds(60)) with { Slot = slot }, Ct);
        for (var i = 0; i < 200 && await pg.ScalarAsync(Database, "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO effects%'") is not 1L; i++)
        {
            await Task.Delay(25, Ct);
        }

        return new Blocked(holder, run);
    }

    private sealed class Blocked(IAsyncDisposable holder, Task<JobOutcome> run) : IAsyncDisposable
    {
        public Task<JobOutcome> Run { get; } = run;

        public ValueTask ReleaseAsync() => holder.DisposeAsync();

        public async ValueTask DisposeAsync()
        {
            await holder.DisposeAsync();
            await Run;
        }
    }
}
