using System.Globalization;
using NodeDb.Orleans.Benchmarks.Measuring;
using NodeDb.Orleans.Benchmarks.NodeDb;
using NodeDb.Orleans.Benchmarks.Quartz;

namespace NodeDb.Orleans.Benchmarks.Scenarios;

/// <summary>
/// S2, the scheduler alone (diagnostic beside the real-runner headline, <see cref="RealBurstScenario"/>): N schedules
/// all due in the same second with a no-op runner, beside Quartz.NET; how late the runs start and when the last one started.
/// </summary>
public static class BurstScenario
{
    private static readonly TimeSpan Drain = TimeSpan.FromSeconds(60);

    public static async Task<ResultTable> RunAsync(BenchSettings settings, TextWriter log)
    {
        var n = settings.S2Schedules;
        log.WriteLine($"S2: {n} schedules due in the same second — NodeDb.Orleans…");
        var (nodeDb, notes) = await RunNodeDbAsync(settings, log, inMemory: false);
        LatenessSummary? memory = null;
        if (settings.Diagnostics)
        {
            log.WriteLine("S2: … NodeDb.Orleans on in-memory storage (diagnostic)…");
            (memory, _) = await RunNodeDbAsync(settings, log, inMemory: true);
        }
        log.WriteLine("S2: … Quartz.NET…");
        var quartz = await RunQuartzAsync(settings);

        var table = new ResultTable($"S2 burst: {n} schedules due in the same second, no-op runner (diagnostic: the scheduler alone)");
        table.Add("runs started", nodeDb.Fired, quartz.Fired, $"{n}", nodeDb.Fired == n, "0");
        table.Add("lateness p50, ms", nodeDb.P50, quartz.P50);
        table.Add("lateness p99, ms", nodeDb.P99, quartz.P99, "≤ 250 ms", nodeDb.P99 <= 250);
        table.Add("lateness max, ms", nodeDb.Max, quartz.Max);
        table.Add("last run started after T, ms", nodeDb.LastStartedMs, quartz.LastStartedMs);
        table.Add("fired early", nodeDb.Early, quartz.Early, "0", nodeDb.Early == 0, "0");
        foreach (var note in notes)
        {
            table.Note(note);
        }

        if (memory is not null)
        {
            table.Note(string.Create(CultureInfo.InvariantCulture,
            $"Diagnostic, the same scheduler on Orleans memory storage and no history store: started {memory.Fired}, lateness p50 {memory.P50:0.0} / p99 {memory.P99:0.0} / max {memory.Max:0.0} ms, {memory.Early} early."));
        }

        table.Note($"Both systems may run all {n} at once: NodeDb.Orleans MaxConcurrentJobs = {n}, Quartz MaxConcurrency = {n}.");
        return table;
    }

    /// <summary>A cron (Cronos, six fields) that matches exactly the UTC second of <paramref name="at"/> once a year.</summary>
    public static string CronosAt(DateTimeOffset at) =>
        string.Create(CultureInfo.InvariantCulture, $"{at.Second} {at.Minute} {at.Hour} {at.Day} {at.Month} *");

    /// <summary>The same in Quartz syntax, with the year.</summary>
    public static string QuartzAt(DateTimeOffset at) =>
        string.Create(CultureInfo.InvariantCulture, $"{at.Second} {at.Minute} {at.Hour} {at.Day} {at.Month} ? {at.Year}");

    private static async Task<(LatenessSummary Summary, List<string> Notes)> RunNodeDbAsync(BenchSettings settings, TextWriter log, bool inMemory)
    {
        var n = settings.S2Schedules;
        var notes = new List<string>();
        await using var silo = await NodeDbSilo.StartAsync(o => o.MaxConcurrentJobs = Math.Max(32, n), inMemory);

        var at = await BurstPlan.InstantAsync(silo.Grains, n, settings);

        var created = await ScheduleSetup.CreateAsync(
            silo.Grains, ScheduleSetup.Names("b", n), CronosAt(at), perTenant: 100, settings.SetupConcurrency);
        var slack = at - DateTimeOffset.UtcNow;
        notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"NodeDb.Orleans setup: {n} schedules created in {created.TotalSeconds:0.0} s ({n / created.TotalSeconds:0} per s); T came {slack.TotalSeconds:0.0} s after setup ended."));
        if (slack < TimeSpan.FromSeconds(1))
        {
            notes.Add("WARNING: setup ended less than 1 s before T, so creation load overlapped the burst.");
            log.WriteLine("S2: setup overran T");
        }

        await Waits.UntilAsync(() => silo.Starts.Count >= n, at + Drain);
        var writes = silo.Storage.WriteDurations;
        notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"NodeDb.Orleans state write durations (whole run): p50 {writes.At(50):0.0} / p99 {writes.At(99):0.0} / max {writes.Max:0.0} ms over {writes.Count} writes."));
        return (LatenessSummary.Of(silo.Starts.Snapshot(), at, at.AddSeconds(1), n), notes);
    }

    private static async Task<LatenessSummary> RunQuartzAsync(BenchSettings settings)
    {
        var n = settings.S2Schedules;
        await using var quartz = await QuartzRig.StartAsync(maxConcurrency: n, maxBatchSize: 0);
        var at = Waits.WholeSecondAfter(TimeSpan.FromSeconds(3));
        await quartz.ScheduleAsync(ScheduleSetup.Names("b", n), QuartzAt(at));
        await Waits.UntilAsync(() => quartz.Starts.Count >= n, at + Drain);
        return LatenessSummary.Of(quartz.Starts.Snapshot(), at, at.AddSeconds(1), n);
    }
}
