using System.Globalization;
using NodeDb.Orleans.Benchmarks.Measuring;
using NodeDb.Orleans.Benchmarks.NodeDb;
using NodeDb.Orleans.Benchmarks.Quartz;

namespace NodeDb.Orleans.Benchmarks.Scenarios;

/// <summary>
/// S1, the scheduler alone (diagnostic beside the real-runner headline, <see cref="RealWorkloadScenario"/>): N schedules
/// firing every second with a no-op runner, beside Quartz.NET; how many fired, how late, and whether any fired early.
/// </summary>
public static class PunctualityScenario
{

    public static async Task<ResultTable> RunAsync(BenchSettings settings, TextWriter log)
    {
        var n = settings.S1Schedules;
        var seconds = (int)settings.S1Duration.TotalSeconds;
        log.WriteLine($"S1: {n} schedules every second for {seconds} s — NodeDb.Orleans…");
        var (nodeDb, nodeDbOps, profile) = await RunNodeDbAsync(settings, inMemory: false, cap: null);
        var diagnostics = new List<string>();
        if (settings.Diagnostics)
        {
            log.WriteLine("S1: … NodeDb.Orleans with MaxConcurrentJobs = 1000 (diagnostic)…");
            var (wideCap, _, wideProfile) = await RunNodeDbAsync(settings, inMemory: false, cap: 1000);
            diagnostics.Add(string.Create(CultureInfo.InvariantCulture,
                $"Diagnostic A, the same with MaxConcurrentJobs = 1000: fired {wideCap.FiredPercent:0.00} %, lateness p50 {wideCap.P50:0.0} / p99 {wideCap.P99:0.0} / max {wideCap.Max:0.0} ms, {wideCap.Early} early. {wideProfile}"));
            log.WriteLine("S1: … NodeDb.Orleans on in-memory storage, MaxConcurrentJobs = 1000 (diagnostic)…");
            var (memory, _, _) = await RunNodeDbAsync(settings, inMemory: true, cap: 1000);
            diagnostics.Add(string.Create(CultureInfo.InvariantCulture,
                $"Diagnostic B, Orleans memory storage, no history store, MaxConcurrentJobs = 1000: fired {memory.FiredPercent:0.00} %, lateness p50 {memory.P50:0.0} / p99 {memory.P99:0.0} / max {memory.Max:0.0} ms, {memory.Early} early."));
        }

        log.WriteLine("S1: … Quartz.NET…");
        var quartz = await RunQuartzAsync(settings);

        var table = new ResultTable($"S1 punctuality: {n} schedules every second for {seconds} s, no-op runner (diagnostic: the scheduler alone)");
        table.Add("runs expected", nodeDb.Expected, quartz.Expected, format: "0");
        table.Add("runs fired (distinct occurrences)", nodeDb.Fired, quartz.Fired, format: "0");
        table.Add("fired, % of expected", nodeDb.FiredPercent, quartz.FiredPercent, "100 %", nodeDb.FiredPercent >= 100, "0.00");
        table.Add("duplicate starts", nodeDb.Duplicates, quartz.Duplicates, "0", nodeDb.Duplicates == 0, "0");
        table.Add("lateness p50, ms", nodeDb.P50, quartz.P50);
        table.Add("lateness p99, ms", nodeDb.P99, quartz.P99, "≤ 20 ms", nodeDb.P99 <= 20);
        table.Add("lateness max, ms", nodeDb.Max, quartz.Max, "≤ 25 ms", nodeDb.Max <= 25);
        table.Add("p99 no worse than Quartz (ratio ≤ 1)", nodeDb.P99 / quartz.P99, double.NaN, "≤ 1", nodeDb.P99 <= quartz.P99, "0.00");
        table.Add("fired early", nodeDb.Early, quartz.Early, "0", nodeDb.Early == 0, "0");
        table.Note("Lateness: from the occurrence's scheduled instant to the job starting (NodeDb: the dispatcher handing the run to IJobRunner; Quartz: IJob.Execute).");
        table.Note(string.Create(CultureInfo.InvariantCulture, $"NodeDb.Orleans: storage operations during the window: {nodeDbOps}. {profile}"));
        table.Note("NodeDb.Orleans runs as the embedded profile ships: SQLite state, reminders and history, MaxConcurrentJobs = 32 (the default).");
        foreach (var diagnostic in diagnostics)
        {
            table.Note(diagnostic);
        }

        return table;
    }

    private static async Task<(LatenessSummary Summary, StorageSnapshot Ops, string Profile)> RunNodeDbAsync(BenchSettings settings, bool inMemory, int? cap)
    {
        await using var silo = await NodeDbSilo.StartAsync(o => o.MaxConcurrentJobs = cap ?? o.MaxConcurrentJobs, inMemory);
        var names = ScheduleSetup.Names("p", settings.S1Schedules);
        await ScheduleSetup.CreateAsync(silo.Grains, names, "* * * * * *", perTenant: 10, settings.SetupConcurrency);
        var from = Waits.WholeSecondAfter(settings.Lead);
        var to = from + settings.S1Duration;
        await Waits.UntilAsync(from);
        var before = silo.Storage.Snapshot();
        await Waits.UntilAsync(to + settings.Stragglers);
        var ops = silo.Storage.Snapshot() - before;
        var summary = LatenessSummary.Of(silo.Starts.Snapshot(), from, to, settings.S1Schedules * (int)settings.S1Duration.TotalSeconds);
        var (writes, history) = (silo.Storage.WriteDurations, silo.Storage.HistoryDurations);
        var profile = string.Create(CultureInfo.InvariantCulture,
            $"Storage call durations (whole run): state write p50 {writes.At(50):0.0} / p99 {writes.At(99):0.0} / max {writes.Max:0.0} ms; " +
            $"history append p50 {history.At(50):0.0} / p99 {history.At(99):0.0} / max {history.Max:0.0} ms; thread-pool threads at the end {ThreadPool.ThreadCount}.");
        return (summary, ops, profile);
    }

    private static async Task<LatenessSummary> RunQuartzAsync(BenchSettings settings)
    {
        await using var quartz = await QuartzRig.StartAsync(maxConcurrency: Math.Max(10, settings.S1Schedules), maxBatchSize: 0);
        await quartz.ScheduleAsync(ScheduleSetup.Names("p", settings.S1Schedules), "* * * * * ?");
        var from = Waits.WholeSecondAfter(settings.Lead);
        var to = from + settings.S1Duration;
        await Waits.UntilAsync(to + settings.Stragglers);
        var summary = LatenessSummary.Of(quartz.Starts.Snapshot(), from, to, settings.S1Schedules * (int)settings.S1Duration.TotalSeconds);
        return summary;
    }
}
