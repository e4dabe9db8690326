using System.Globalization;
using NodeDb.Orleans.Benchmarks.Measuring;
using NodeDb.Orleans.Benchmarks.NodeDb;
using NodeDb.Orleans.Benchmarks.Postgres;

namespace NodeDb.Orleans.Benchmarks.Scenarios;

/// <summary>
/// S5: the same N one-row INSERT jobs due at the same instant on one PostgreSQL server, run first by NodeDb.Orleans
/// (a whole second T) and then by pg_cron (the next whole minute M: pg_cron 1.4 has minute granularity). Measured:
/// time from the instant to the last commit, and the start lateness, side by side.
/// </summary>
/// <remarks>
/// Both systems run with their defaults and insert into the same table of the same database; the body's row takes
/// <c>clock_timestamp()</c>, so "last commit" is read the same way for both (the INSERT is the transaction's last
/// statement). The server keeps PostgreSQL's durability defaults.
/// </remarks>
public static class PgCronScenario
{
    private const string Prefix = "s5t";
    private const string Insert = "INSERT INTO fx(at) VALUES (1)";

    public static async Task<ResultTable> RunAsync(BenchSettings settings, TextWriter log)
    {
        var n = settings.S5Jobs;
        var table = new ResultTable($"S5: {n} one-row INSERT jobs due at the same instant on one PostgreSQL, NodeDb.Orleans beside pg_cron", other: "pg_cron");
        if (PostgresServer.FindBinaries() is null)
        {
            table.Note("Skipped: PostgreSQL is not installed (scripts/postgres/install.sh).");
            return table;
        }

        var tenant = ScheduleSetup.TenantOf(0, n, Prefix);
        var database = SqlTarget.PostgresDatabaseOf(tenant);
        var pgCron = settings.S5PgCron && PostgresServer.HasPgCron();
        var serverSettings = new Dictionary<string, string>();
        if (pgCron)
        {
            // Only what loading pg_cron needs; its scheduling settings (cron.max_running_jobs 32, a libpq connection
            // per job, no background workers) stay at their defaults.
            serverSettings["shared_preload_libraries"] = "pg_cron";
            serverSettings["cron.database_name"] = database;
            serverSettings["cron.host"] = "127.0.0.1"; // the server listens on 127.0.0.1 only; the default, localhost, may mean ::1
        }

        await using var server = await PostgresServer.StartAsync(settings, serverSettings);
        await server.CreateDatabaseAsync(database);
        await server.ExecuteAsync(database, "CREATE TABLE fx(at integer, done timestamptz NOT NULL DEFAULT clock_timestamp())");

        log.WriteLine($"S5: {n} jobs at one instant, NodeDb.Orleans on PostgreSQL…");
        var (nodeDb, nodeDbNote) = await RunNodeDbAsync(settings, server, database, n);
        BurstResult? cron = null;
        var version = "";
        if (pgCron)
        {
            await server.ExecuteAsync(database, "CREATE EXTENSION pg_cron");
            version = (await server.QueryAsync(database, "SELECT extversion FROM pg_extension WHERE extname = 'pg_cron'"))[0][0] as string ?? "?";
            log.WriteLine($"S5: … pg_cron {version}, at the next whole minute…");
            cron = await RunPgCronAsync(server, database, n);
        }

        var other = cron ?? BurstResult.None;
        table.Add("jobs committed (fx rows)", nodeDb.Committed, cron is null ? double.NaN : cron.Committed, $"{n}", nodeDb.Committed == n, "0");
        table.Add("Succeeded (history / job_run_details)", nodeDb.Succeeded, cron is null ? double.NaN : cron.Succeeded, $"{n}", nodeDb.Succeeded == n, "0");
        table.Add("start lateness p50, ms", nodeDb.Lateness.At(50), other.Lateness.At(50));
        table.Add("start lateness p99, ms", nodeDb.Lateness.At(99), other.Lateness.At(99));
        table.Add("start lateness max, ms", nodeDb.Lateness.Max, other.Lateness.Max);
        table.Add("last commit after the instant, ms", nodeDb.LastCommitMs, other.LastCommitMs, "≤ ¼ of pg_cron's",
            cron is null ? null : nodeDb.LastCommitMs <= cron.LastCommitMs / 4, "0");
        table.Note(nodeDbNote);
        table.Note(cron is null
            ? (settings.S5PgCron
                ? "pg_cron is not installed (scripts/postgres/install-pg-cron.sh, Debian package postgresql-15-cron): NodeDb.Orleans ran alone."
                : "pg_cron half not run in this mode (it waits for the next whole minute).")
            : string.Create(CultureInfo.InvariantCulture,
                $"pg_cron {version}: `cron.schedule(name, '{{M}} {{H}} * * *', '{Insert}')` × {n}, due at the whole minute {cron.At:HH:mm:ss} UTC, defaults (cron.max_running_jobs 32, a libpq connection per run); " +
                $"run details: {cron.Statuses}; start lateness from cron.job_run_details.start_time. Load average after it: {BenchmarkRun.LoadAverage()}."));
        table.Note("Last commit: the latest `clock_timestamp()` the bodies' rows took, after the instant. NodeDb.Orleans runs first, at a whole second T; pg_cron then at the next whole minute M. " +
            "NodeDb.Orleans: one tenant, so the shipped per-tenant share (16 of 32 slots) bounds it; pg_cron: up to 32 jobs at once, its default. " +
            (settings.PostgresAsyncCommit ? "Server: synchronous_commit = off (--pg-async-commit, a diagnostic)." : "Server: PostgreSQL's durability defaults (fsync and synchronous_commit on)."));
        return table;
    }

    private static async Task<(BurstResult Result, string Note)> RunNodeDbAsync(BenchSettings settings, PostgresServer server, string database, int n)
    {
        await using var silo = await NodeDbSilo.StartAsync(sql: SqlTarget.Postgres(server.ConnectionString(SqlTarget.PostgresDatabaseOf("{tenant}"))));
        var firstRun = await FirstRunAsync(silo, ScheduleSetup.TenantOf(0, n, Prefix));
        var at = await BurstPlan.InstantAsync(silo.Grains, n, settings);
        var names = ScheduleSetup.Names("j", n);
        var created = await ScheduleSetup.CreateAsync(silo.Grains, names, BurstScenario.CronosAt(at), n, settings.SetupConcurrency, Prefix, ScheduleSetup.InsertBody);
        var slack = at - DateTimeOffset.UtcNow;
        var deadline = at + TimeSpan.FromSeconds(5) + settings.Stragglers;
        while (DateTimeOffset.UtcNow < deadline && (DateTimeOffset.UtcNow < at || await CountAsync(server, database, at.AddSeconds(-1)) < n))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }

        await Task.Delay(TimeSpan.FromSeconds(1));
        var (committed, last) = await CommitsAsync(server, database, at.AddSeconds(-1));
        var rows = (await HistoryReader.ReadAsync(silo.Grains, SqlWorkload.Schedules(names, n, Prefix))).Where(r => r.ScheduledAt == at).ToList();
        var succeeded = rows.Where(r => r is { Status: RunStatus.Succeeded, StartedAt: not null }).ToList();
        var result = new BurstResult(
            at,
            committed,
            succeeded.Count,
            new Percentiles(succeeded.Select(r => (r.StartedAt!.Value - at).TotalMilliseconds)),
            last is null ? double.NaN : (last.Value - at).TotalMilliseconds,
            Statuses(rows.Select(r => r.Status.ToString())));
        var note = string.Create(CultureInfo.InvariantCulture,
            $"NodeDb.Orleans: {n} schedules of one tenant (database {database}) created in {created.TotalSeconds:0.0} s, T = {at:HH:mm:ss} UTC came {slack.TotalSeconds:0.0} s after setup; " +
            $"history: {result.Statuses}; {firstRun} Warnings logged: {silo.Logs.Total} ({silo.Logs.Summary()}); load average after it: {BenchmarkRun.LoadAverage()}.");
        return (result, note);
    }

    /// <summary>
    /// One manual run of a <c>SELECT 1</c> schedule before the burst, so the tenant's run ledger exists: the burst
    /// measures scheduling, and a tenant that has run anything before is the usual case. Without it, concurrent first
    /// runs race to create the ledger (see docs/benchmarks.md, S5).
    /// </summary>
    private static async Task<string> FirstRunAsync(NodeDbSilo silo, string tenant)
    {
        var definition = new ScheduleDefinition { Tenant = tenant, Name = "first-run", Cron = "0 0 0 1 1 *", Body = ScheduleSetup.Body };
        var grain = silo.Grains.GetGrain<IScheduleGrain>(definition.Key);
        await grain.CreateAsync(definition);
        await grain.TriggerAsync("bench");
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        IReadOnlyList<RunRecord> rows = [];
        while (DateTimeOffset.UtcNow < deadline)
        {
            rows = await silo.Grains.GetGrain<IJobHistoryGrain>(tenant).QueryAsync(new HistoryQuery { Schedule = definition.Name });
            if (rows.Any(r => r.Status != RunStatus.Cancelled && r.FinishedAt is not null))
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }

        await grain.DropAsync();
        return $"A first manual run before the burst created the tenant's ledger ({(rows.Count == 0 ? "no row" : rows[0].Status.ToString())}).";
    }

    private static async Task<BurstResult> RunPgCronAsync(PostgresServer server, string database, int n)
    {
        var soon = DateTimeOffset.UtcNow.AddSeconds(10);
        var minute = new DateTimeOffset(soon.Year, soon.Month, soon.Day, soon.Hour, soon.Minute, 0, TimeSpan.Zero).AddMinutes(1);
        await server.ExecuteAsync(database, string.Create(CultureInfo.InvariantCulture,
            $"SELECT count(cron.schedule('s5_' || g, '{minute.Minute} {minute.Hour} * * *', '{Insert}')) FROM generate_series(1, {n}) g"));
        var deadline = minute.AddMinutes(2);
        while (DateTimeOffset.UtcNow < deadline
            && (DateTimeOffset.UtcNow < minute || Convert.ToInt64((await server.QueryAsync(database,
                "SELECT count(*) FROM cron.job_run_details WHERE status IN ('succeeded', 'failed')"))[0][0], CultureInfo.InvariantCulture) < n))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }

        var details = await server.QueryAsync(database, "SELECT status, start_time FROM cron.job_run_details");
        var (committed, last) = await CommitsAsync(server, database, minute);
        var starts = details.Where(d => d[0] as string == "succeeded" && d[1] is DateTime).Select(d => (new DateTimeOffset((DateTime)d[1]!) - minute).TotalMilliseconds);
        return new BurstResult(
            minute,
            committed,
            details.Count(d => d[0] as string == "succeeded"),
            new Percentiles(starts),
            last is null ? double.NaN : (last.Value - minute).TotalMilliseconds,
            Statuses(details.Select(d => d[0] as string ?? "null")));
    }

    private static async Task<long> CountAsync(PostgresServer server, string database, DateTimeOffset since) =>
        (await CommitsAsync(server, database, since)).Count;

    private static async Task<(long Count, DateTimeOffset? Last)> CommitsAsync(PostgresServer server, string database, DateTimeOffset since)
    {
        var row = (await server.QueryAsync(database, string.Create(CultureInfo.InvariantCulture,
            $"SELECT count(*), max(done) FROM fx WHERE done >= '{since.UtcDateTime:yyyy-MM-dd HH:mm:ss.fff}+00'")))[0];
        return (Convert.ToInt64(row[0], CultureInfo.InvariantCulture), row[1] is DateTime d ? new DateTimeOffset(d) : null);
    }

    private static string Statuses(IEnumerable<string> statuses)
    {
        var text = string.Join(", ", statuses.GroupBy(s => s).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key} {g.Count()}")));
        return text.Length == 0 ? "no rows" : text;
    }

    /// <summary>One system's run of the burst.</summary>
    private sealed record BurstResult(DateTimeOffset At, long Committed, int Succeeded, Percentiles Lateness, double LastCommitMs, string Statuses)
    {
        public static BurstResult None { get; } = new(default, 0, 0, new Percentiles([]), double.NaN, "");
    }
}
