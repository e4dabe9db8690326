using System.Globalization;
using System.Runtime.InteropServices;
using NodeDb.Orleans.Benchmarks.Scenarios;

namespace NodeDb.Orleans.Benchmarks;

/// <summary>Runs the chosen scenarios one after another, each on both systems, and returns their tables.</summary>
public static class BenchmarkRun
{
    public static readonly string[] AllScenarios = ["s1", "s2", "s3", "s4", "s5", "p1"];

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
            tables.Add(await RealWorkloadScenario.RunAsync(settings, log));
            tables.Add(await PunctualityScenario.RunAsync(settings, log));
        }

        if (scenarios.Contains("s2"))
        {
            tables.Add(await RealBurstScenario.RunAsync(settings, log));
            tables.Add(await BurstScenario.RunAsync(settings, log));
        }

        if (scenarios.Contains("s3"))
        {
            tables.Add(await IdleScaleScenario.RunAsync(settings, log));
        }

        if (scenarios.Contains("s4"))
        {
            tables.Add(await FailoverScenario.RunAsync(settings, log));
        }

        if (scenarios.Contains("s5"))
        {
            tables.Add(await PgCronScenario.RunAsync(settings, log));
        }

        if (scenarios.Contains("p1"))
        {
            tables.Add(Planning.PlanningScenario.Run(settings, log));
        }

        return tables;
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
