using System.Diagnostics;
using System.Globalization;
using System.Text;
using NodeDb.Orleans.Benchmarks.NodeDb;
using NodeDb.Orleans.Benchmarks.Quartz;

namespace NodeDb.Orleans.Benchmarks.Scenarios;

/// <summary>
/// S7: creating N durable schedules on one embedded silo (SQLite state, reminders, index and wake registry, as src/Silo's
/// default profile), by each path a user has: one <c>IScheduleGrain.CreateAsync</c> per schedule (64 at once), the
/// bulk API (<c>ITenantSchedulesGrain.CreateManyAsync</c>) and a DDL script of CREATE statements
/// (<c>ISqlSessionGrain.ExecuteAsync</c>, what <c>nodedb sql -f</c> sends); beside Quartz.NET's in-memory store.
/// </summary>
/// <remarks>
/// Schedules are spread over tenants of at most <see cref="PerTenant"/> (the shipped Scheduler:MaxSchedulesPerTenant),
/// so the per-tenant limit is checked on every create, as in production. Each path gets a fresh silo and data directory.
/// </remarks>
public static class BulkCreateScenario
{
    /// <summary>The shipped per-tenant limit: a tenant imports at most this many.</summary>
    public const int PerTenant = 10_000;

    /// <summary>CREATE statements per script, and definitions per bulk call: what a client would send in one request.</summary>
    public const int Chunk = 1_000;

    private const string Cron = "0 0 0 1 1 *";
    private const string QuartzCron = "0 0 0 1 1 ?";

    public static async Task<ResultTable> RunAsync(BenchSettings settings, TextWriter log)
    {
        var table = new ResultTable($"S7 bulk creation of durable schedules (embedded profile: SQLite)");
        foreach (var n in settings.S7Schedules)
        {
            log.WriteLine($"S7: {n} schedules — Quartz.NET (RAMJobStore)…");
            var quartz = await QuartzRateAsync(n);
            foreach (var path in new[] { Path.PerCall, Path.BulkApi, Path.Script })
            {
                if (settings.S7Paths is { } only && !only.Contains(path.ToString(), StringComparer.OrdinalIgnoreCase))
                {
                    continue;
                }

                log.WriteLine($"S7: {n} schedules — NodeDb.Orleans, {Describe(path)}…");
                var (rate, note) = await NodeDbRateAsync(n, path, settings.SetupConcurrency);
                log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"S7: … {rate:0} per s ({note})"));
                var headline = path != Path.PerCall;
                table.Add($"{n:N0} schedules, {Describe(path)}, per s", rate, quartz, headline ? "≥ 5,000" : null, headline ? rate >= 5_000 : null, "0");
                table.Note($"{n:N0}, {Describe(path)}: {note}");
            }
        }

        table.Note($"Tenants of at most {PerTenant:N0} schedules (Scheduler:MaxSchedulesPerTenant's default), checked on every create; bulk calls and scripts carry {Chunk:N0} schedules each, one call per tenant at a time.");
        table.Note("Every schedule is durable when its call returns: state, tenant index, wake registry and reminder are committed to SQLite (synchronous = NORMAL, WAL). Quartz.NET's RAMJobStore keeps them in memory only.");
        table.Note($"Load average at the end: {BenchmarkRun.LoadAverage()}.");
        return table;
    }

    private enum Path
    {
        PerCall,
        BulkApi,
        Script,
    }

    private static string Describe(Path path) => path switch
    {
        Path.PerCall => "one CreateAsync per schedule (64 at once)",
        Path.BulkApi => "bulk API (CreateManyAsync)",
        _ => "DDL script (CREATE SCHEDULE × 1,000 per script)",
    };

    private static async Task<double> QuartzRateAsync(int n)
    {
        await using var quartz = await QuartzRig.StartAsync(maxConcurrency: 32, maxBatchSize: 0);
        var clock = Stopwatch.StartNew();
        await quartz.ScheduleAsync(ScheduleSetup.Names("q", n), QuartzCron);
        return n / clock.Elapsed.TotalSeconds;
    }

    private static async Task<(double Rate, string Note)> NodeDbRateAsync(int n, Path path, int concurrency)
    {
        await using var silo = await NodeDbSilo.StartAsync(sql: SqlTarget.Sqlite);
        var names = ScheduleSetup.Names("b", n);
        var before = silo.Storage.Snapshot();
        var writesBefore = silo.Storage.WritesByState;
        var cpuBefore = Environment.CpuUsage.TotalTime;
        var clock = Stopwatch.StartNew();
        MarkWindow("start");
        switch (path)
        {
            case Path.PerCall:
                await ScheduleSetup.CreateAsync(silo.Grains, names, Cron, PerTenant, concurrency, tenantPrefix: "bulk");
                break;
            case Path.BulkApi:
                await ForEachTenantChunkAsync(n, (tenant, range) => silo.Grains.GetGrain<ITenantSchedulesGrain>(tenant)
                    .CreateManyAsync([.. range.Select(i => Definition(tenant, names[i]))]));
                break;
            default:
                await ForEachTenantChunkAsync(n, (tenant, range) => silo.Grains.GetGrain<ISqlSessionGrain>(tenant)
                    .ExecuteAsync(Script(range.Select(i => names[i])), "bench"));
                break;
        }

        var elapsed = clock.Elapsed;
        MarkWindow("end");
        var cpu = Environment.CpuUsage.TotalTime - cpuBefore;
        var ops = silo.Storage.Snapshot() - before;
        var writes = string.Join(", ", silo.Storage.WritesByState.Select(w => $"{w.Key} {w.Value - writesBefore.GetValueOrDefault(w.Key)}"));

        // Read back: every schedule must exist and be listed, or the rate means nothing.
        var listed = 0;
        for (var t = 0; t * PerTenant < n; t++)
        {
            listed += (await silo.Grains.GetGrain<ITenantSchedulesGrain>(ScheduleSetup.TenantOf(t * PerTenant, PerTenant, "bulk")).ListAsync()).Length;
        }

        if (listed != n)
        {
            throw new InvalidOperationException($"S7 {Describe(path)}: created {n} but the tenant indexes list {listed}.");
        }

        return (n / elapsed.TotalSeconds, string.Create(CultureInfo.InvariantCulture,
            $"{elapsed.TotalSeconds:0.0} s, process CPU {cpu.TotalMilliseconds * 1000 / n:0} µs per schedule; storage operations {ops}, state writes by kind: {writes}; all {listed:N0} listed afterwards"));
    }

    /// <summary>
    /// With NODEDB_BENCH_WINDOWS=1, prints the creation window's bounds on the monotonic clock (Stopwatch ticks, which are
    /// CLOCK_MONOTONIC nanoseconds on Linux), so a profile taken with <c>perf record -k CLOCK_MONOTONIC</c> can be cut to it.
    /// </summary>
    private static void MarkWindow(string edge)
    {
        if (Environment.GetEnvironmentVariable("NODEDB_BENCH_WINDOWS") == "1")
        {
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"S7-WINDOW {edge} {Stopwatch.GetTimestamp()}"));
        }
    }

    /// <summary>Tenants run side by side; within a tenant, one chunk after another (a client importing its schedules).</summary>
    private static Task ForEachTenantChunkAsync(int n, Func<string, IEnumerable<int>, Task> call) =>
        Task.WhenAll(Enumerable.Range(0, (n + PerTenant - 1) / PerTenant).Select(async t =>
        {
            var tenant = ScheduleSetup.TenantOf(t * PerTenant, PerTenant, "bulk");
            var end = Math.Min(n, (t + 1) * PerTenant);
            for (var start = t * PerTenant; start < end; start += Chunk)
            {
                await call(tenant, Enumerable.Range(start, Math.Min(Chunk, end - start)));
            }
        }));

    private static ScheduleDefinition Definition(string tenant, string name) =>
        new() { Tenant = tenant, Name = name, Cron = Cron, Body = ScheduleSetup.Body };

    private static string Script(IEnumerable<string> names)
    {
        var script = new StringBuilder();
        foreach (var name in names)
        {
            script.Append(CultureInfo.InvariantCulture, $"CREATE SCHEDULE {name} CRON '{Cron}' AS {ScheduleSetup.Body};\n");
        }

        return script.ToString();
    }
}
