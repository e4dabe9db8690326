using System.Globalization;
using System.Runtime.InteropServices;
using NodeDb.Orleans.Benchmarks.Scenarios;

namespace NodeDb.Orleans.Benchmarks;

/// <summary>Runs the chosen scenarios one after another, each on both systems, and returns their tables.</summary>
public static class BenchmarkRun
{
    public static readonly string[] AllScenarios = ["s1", "s2", "s3", "s4", "s5", "s6", "s7", "p1", "w1"];

    /// <remarks>S1 and S2 give two tables each: the headline with the real SQL runner, then the scheduler alone (no-op runner) beside Quartz.NET.</remarks>
    public static async Task<IReadOnlyList<IReportTable>> RunAsync(BenchSettings settings, IReadOnlyCollection<string> scenarios, TextWriter log)
    {
        var unknown = scenarios.Except(AllScenarios, StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"Unknown scenario '{string.Join("', '", unknown)}': use {string.Join(", ", AllScenarios)}.", nameof(scenarios));
        }

        var tables = new List<IReportTable>();
        if (scenarios.Contains("s1"))
        {
            await RunOneAsync(tables, "S1 real workload", () => RealWorkloadScenario.RunAsync(settings, log), log);
            await RunOneAsync(tables, "S1 punctuality (no-op runner)", () => PunctualityScenario.RunAsync(settings, log), log);
        }

        if (scenarios.Contains("s2"))
        {
            await RunOneAsync(tables, "S2 real burst", () => RealBurstScenario.RunAsync(settings, log), log);
            await RunOneAsync(tables, "S2 burst (no-op runner)", () => BurstScenario.RunAsync(settings, log), log);
        }

        if (scenarios.Contains("s3"))
        {
            await RunOneAsync(tables, "S3 scale and idle cost", () => IdleScaleScenario.RunAsync(settings, log), log);
        }

        if (scenarios.Contains("s4"))
        {
            await RunOneAsync(tables, "S4 failover", () => FailoverScenario.RunAsync(settings, log), log);
        }

        if (scenarios.Contains("s5"))
        {
            await RunOneAsync(tables, "S5 pg_cron", () => PgCronScenario.RunAsync(settings, log), log);
        }

        if (scenarios.Contains("s6"))
        {
            await RunOneAsync(tables, "S6 rolling restart on PostgreSQL", () => RollingRestartScenario.RunAsync(settings, log, postgres: true), log);
            await RunOneAsync(tables, "S6 rolling restart on a shared SQLite file", () => RollingRestartScenario.RunAsync(settings, log, postgres: false), log);
        }

        if (scenarios.Contains("s7"))
        {
            await RunOneAsync(tables, "S7 bulk creation", () => BulkCreateScenario.RunAsync(settings, log), log);
        }

        if (scenarios.Contains("w1"))
        {
            await RunOneAsync(tables, "W1 dashboard page", () => WebPageScenario.RunAsync(settings, log), log);
        }

        if (scenarios.Contains("p1"))
        {
            tables.Add(Planning.PlanningScenario.Run(settings, log));
        }

        return tables;
    }

    /// <summary>Runs one scenario; one that throws becomes a FAILED table, so the scenarios after it still run.</summary>
    private static async Task RunOneAsync<T>(List<IReportTable> tables, string name, Func<Task<T>> scenario, TextWriter log)
        where T : IReportTable
    {
        try
        {
            tables.Add(await scenario());
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            log.WriteLine($"{name}: FAILED: {e}");
            tables.Add(new FailedScenario(name, e));
        }
    }

    /// <summary>The machine and load the figures came from.</summary>
    public static string Machine()
    {
        var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
        return string.Create(CultureInfo.InvariantCulture,
            $"{Environment.ProcessorCount} cores, {memory:0.0} GiB, {RuntimeInformation.OSDescription}, .NET {Environment.Version}, " +
            $"{(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC, load average {LoadAverage()}");
    }

    public static string LoadAverage()
    {
        try
        {
            var parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return $"{parts[0]} / {parts[1]} / {parts[2]}";
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
