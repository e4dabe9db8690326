using System.Globalization;
using NodeDb.Orleans.Benchmarks.Measuring;
using NodeDb.Orleans.Benchmarks.NodeDb;
using NodeDb.Orleans.Benchmarks.Postgres;
using NodeDb.Orleans.Tests.Azure;
using NodeDb.Orleans.Tests.Failover;

namespace NodeDb.Orleans.Benchmarks.Scenarios;

/// <summary>
/// S6: a rolling deploy. Three real silo processes on the azure profile (Azurite in memory) run every-second schedules
/// with real SQL bodies (MISSED = SKIP, the default); each silo in turn is stopped with SIGTERM, started again, and
/// waited for until it reports ready, as a deploy does. Goal: the deploy is invisible in history — 0 Missed,
/// Interrupted or Rejected, 0 duplicates, every occurrence one Succeeded row with one effect, and the starts during
/// the deploy on time (p99 ≤ 100 ms, max ≤ 1 s).
/// </summary>
/// <remarks>
/// Run twice: with the tenant's database on PostgreSQL (what a cluster of several hosts uses, and the headline), and
/// on one SQLite file the three processes share (<c>--shared-data-dir</c>, one machine only), where the processes'
/// contention for the file's write lock is part of what is measured.
/// </remarks>
public static class RollingRestartScenario
{
    private const int Silos = 3;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Steady = TimeSpan.FromSeconds(10);

    /// <summary>The tenant's effects: one row per run, with the run id the runner sets for the transaction.</summary>
    private const string PostgresEffectBody = "BEGIN INSERT INTO effects (run_id) VALUES (current_setting('nodedb.run_id')); END";

    public static async Task<ResultTable> RunAsync(BenchSettings settings, TextWriter log, bool postgres)
    {
        var n = settings.S6Schedules;
        var engine = postgres ? "PostgreSQL tenant database" : "SQLite tenant file shared by the 3 processes";
        var table = new ResultTable($"S6 rolling restart ({engine}): {Silos} silo processes, {n} schedules every second, each silo stopped with SIGTERM and restarted in turn");
        if (n == 0)
        {
            table.Note($"S6: not run in {settings.Mode} mode (it starts {Silos} silo processes and Azurite).");
            return table;
        }

        if (postgres && PostgresServer.FindBinaries() is null)
        {
            table.Note("S6: not run on PostgreSQL: no server binaries (run scripts/postgres/install.sh; scripts/bench.sh does).");
            return table;
        }

        if (AzuriteProcess.FindExecutable() is not { } azuriteBin)
        {
            table.Note("S6: not run: no node_modules/.bin/azurite-table (run scripts/azurite/install.sh; scripts/bench.sh does).");
            return table;
        }

        var tenant = "s6" + Guid.NewGuid().ToString("N")[..8];
        await using var server = postgres ? await PostgresServer.StartAsync(settings) : null;
        string[] engineArguments = [];
        if (server is not null)
        {
            // As S1's PostgreSQL loads: one database per tenant, the superuser's login and the plain ledger.
            var database = SqlTarget.PostgresDatabaseOf(tenant);
            await server.CreateDatabaseAsync(database);
            await server.ExecuteAsync(database, "CREATE TABLE effects (run_id text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())");
            engineArguments = ["--Sql:Engine", "Postgres", "--Sql:PostgresConnectionTemplate", server.ConnectionString(SqlTarget.PostgresDatabaseOf("{tenant}"))];
        }

        log.WriteLine($"S6 ({engine}): Azurite and {Silos} silo processes…");
        await using var azurite = await AzuriteProcess.StartAsync(azuriteBin);
        await using var cluster = await AzureProcessCluster.StartAsync(azurite.ConnectionString, Silos, engineArguments);
        await using var client = await FailoverClient.ConnectAsync(cluster);
        var names = Enumerable.Range(0, n).Select(i => $"r{i:D2}").ToList();
        foreach (var name in names)
        {
            await client.CreateAsync(new ScheduleDefinition
            {
                Tenant = tenant,
                Name = name,
                Cron = "* * * * * *",
                Body = postgres ? PostgresEffectBody : OccurrenceAccounting.EffectBody,
                Retries = 3,
            });
        }

        log.WriteLine($"S6: {n} every-second schedules (MISSED = SKIP), waiting until each ran twice…");
        await ProcessClusterSteps.HostsAsync(client, tenant, names, DateTimeOffset.MinValue, runs: 2);

        // A steady window before the deploy, the baseline its lateness is compared with.
        var steadyFrom = DateTimeOffset.UtcNow;
        await Task.Delay(Steady);
        var deployFrom = DateTimeOffset.UtcNow;
        var stops = new List<double>();
        var orphanLines = 0;
        var logs = new List<string>();
        var stopTimes = new List<DateTimeOffset>();
        var readyTimes = new List<DateTimeOffset>();
        for (var index = 0; index < Silos; index++)
        {
            stopTimes.Add(DateTimeOffset.UtcNow);
            var (took, output) = await cluster.StopAsync(index);
            stops.Add(took.TotalSeconds);
            orphanLines += output.Split('\n').Count(line => line.Contains("Orphaned run", StringComparison.Ordinal));
            logs.Add(output);
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"S6: silo {index} stopped gracefully in {took.TotalSeconds:0.0} s; starting it again…"));
            await cluster.RestartAsync(index);
            await cluster.WaitReadyAsync(index);
            readyTimes.Add(DateTimeOffset.UtcNow);
            await Task.Delay(Settle);
        }

        var deployTo = DateTimeOffset.UtcNow;
        logs.AddRange(cluster.Silos.OfType<global::NodeDb.Orleans.Tests.Processes.SiloProcess>().Select(s => s.Output));
        orphanLines += logs.Skip(Silos).Sum(log => log.Split('\n').Count(line => line.Contains("Orphaned run", StringComparison.Ordinal)));
        var logDirectory = Directory.CreateTempSubdirectory("nodedb-s6-logs-").FullName;
        for (var i = 0; i < logs.Count; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(logDirectory, $"silo-{i}.log"), logs[i]);
        }
        log.WriteLine("S6: disabling the schedules and counting every occurrence…");
        var lastFired = await ProcessClusterSteps.StopAndSettleAsync(client, tenant, names);
        var count = new OccurrenceTally();
        var lateness = new List<double>();
        var late = new List<RunRecord>();
        var steady = new List<double>();
        var rejected = 0;
        foreach (var name in names)
        {
            var history = await client.HistoryAsync(tenant, name);
            var effects = server is null
                ? OccurrenceAccounting.ReadEffects(cluster.TenantDatabase(tenant), name)
                : await ReadPostgresEffectsAsync(server, tenant, name);
            count.Add(OccurrenceAccounting.Check(name, history, effects, lastFired[name]), ProcessClusterSteps.Duplicates(history, effects));
            rejected += history.Count(r => r.Status == RunStatus.Rejected);
            var inDeploy = StartsBetween(history, deployFrom, deployTo);
            lateness.AddRange(inDeploy.Select(LatenessMs));
            steady.AddRange(StartsBetween(history, steadyFrom, deployFrom).Select(LatenessMs));
            late.AddRange(inDeploy.Where(r => LatenessMs(r) > 100));
        }

        var percentiles = new Percentiles(lateness);
        table.Add("occurrences Missed, Interrupted or Rejected", count.Missed + count.Interrupted + rejected, double.NaN, "0", count.Missed + count.Interrupted + rejected == 0, "0");
        table.Add("duplicate fires", count.Duplicates, double.NaN, "0", count.Duplicates == 0, "0");
        table.Add("occurrences without a Succeeded row (skipped, other, no row)", count.Skipped + count.Other + count.Unaccounted, double.NaN, "0", count.Skipped + count.Other + count.Unaccounted == 0, "0");
        table.Add("accounting problems", count.Problems.Count, double.NaN, "0", count.Problems.Count == 0, "0");
        table.Add("start lateness during the deploy, p50, ms", percentiles.At(50), double.NaN);
        table.Add("start lateness during the deploy, p99, ms", percentiles.At(99), double.NaN, "≤ 100 ms", percentiles.At(99) <= 100);
        table.Add("start lateness during the deploy, max, ms", percentiles.Max, double.NaN, "≤ 1,000 ms", percentiles.Max <= 1000);
        var baseline = new Percentiles(steady);
        table.Add("baseline: start lateness in the 10 s before the deploy, p50, ms", baseline.At(50), double.NaN);
        table.Add("baseline: start lateness in the 10 s before the deploy, p99, ms", baseline.At(99), double.NaN);
        table.Add("runs settled from the ledger (the failure path) during the deploy", orphanLines, double.NaN, "0", orphanLines == 0, "0");
        table.Add("SIGTERM to process exit, max, s", stops.Max(), double.NaN);

        table.Note(string.Create(CultureInfo.InvariantCulture,
            $"Deploy window {(deployTo - deployFrom).TotalSeconds:0} s: {lateness.Count} Succeeded starts scheduled in it; SIGTERM to exit {string.Join(", ", stops.Select(s => s.ToString("0.0", CultureInfo.InvariantCulture)))} s."));
        foreach (var second in late.GroupBy(r => r.ScheduledAt!.Value).OrderByDescending(g => g.Count()).Take(5))
        {
            table.Note(string.Create(CultureInfo.InvariantCulture,
                $"Started more than 100 ms late: {second.Count()} runs of {second.Key:HH:mm:ss} ({(second.Key - deployFrom).TotalSeconds:0} s into the deploy), on {string.Join(", ", second.GroupBy(r => r.Silo).Select(g => $"{g.Key} ×{g.Count()}"))}; lateness {second.Min(LatenessMs):0}–{second.Max(LatenessMs):0} ms."));
        }

        table.Note(string.Create(CultureInfo.InvariantCulture, $"Stops began at {string.Join(", ", stopTimes.Select(t => $"{t:HH:mm:ss.fff}"))}; restarts were ready at {string.Join(", ", readyTimes.Select(t => $"{t:HH:mm:ss.fff}"))}."));
        table.Note($"Occurrences counted: {count.Occurrences} = {count.Ran} ran + {count.Missed} missed + {count.Skipped} skipped + {count.Interrupted} interrupted + {count.Other} other + {count.Unaccounted} without a row; {rejected} Rejected rows; {count.Withdrawn} armed occurrences withdrawn by the final disable.");
        foreach (var problem in count.Problems.Take(20))
        {
            table.Note($"Problem: {problem}");
        }

        var storage = postgres
            ? "the tenant's database on a throw-away PostgreSQL 15 on loopback with its durability defaults (S1's set-up: superuser login, plain ledger)"
            : "one shared data directory for the SQLite tenant database";
        table.Note(string.Create(CultureInfo.InvariantCulture,
            $"{Silos} silo processes (`dotnet NodeDb.Orleans.Silo.dll --profile azure`) on loopback against an in-memory Azurite Table endpoint, {storage}; {n} schedules `* * * * * *`, MISSED = SKIP, a body that writes one effect row per run. Each silo in turn: SIGTERM, wait for the exit, start it again on new ports, wait for `/health/ready`, then {Settle.TotalSeconds:0} s."));
        table.Note("Quartz.NET: not measured (the RAMJobStore used for S1–S3 runs in one process: a restart loses every trigger's state).");
        table.Note($"The silos' console logs (the stopped ones first): {logDirectory}.");
        table.Note($"Load average at the end of S6: {BenchmarkRun.LoadAverage()}.");
        return table;
    }

    private static async Task<Dictionary<string, int>> ReadPostgresEffectsAsync(PostgresServer server, string tenant, string schedule)
    {
        var rows = await server.QueryAsync(SqlTarget.PostgresDatabaseOf(tenant),
            $"SELECT run_id, count(*)::int FROM effects WHERE run_id LIKE '{schedule}.g%' GROUP BY run_id");
        return rows.ToDictionary(r => (string)r[0]!, r => (int)r[1]!, StringComparer.Ordinal);
    }

    /// <summary>The Succeeded cron runs scheduled in [from, to).</summary>
    private static List<RunRecord> StartsBetween(IEnumerable<RunRecord> history, DateTimeOffset from, DateTimeOffset to) =>
        [.. history.Where(r => r is { Trigger: RunTrigger.Cron, Status: RunStatus.Succeeded, ScheduledAt: { }, StartedAt: { } }
            && r.ScheduledAt >= from && r.ScheduledAt < to)];

    private static double LatenessMs(RunRecord run) => (run.StartedAt!.Value - run.ScheduledAt!.Value).TotalMilliseconds;
}
