using System.Globalization;
using NodeDb.Orleans.Benchmarks.Measuring;
using NodeDb.Orleans.Benchmarks.NodeDb;
using NodeDb.Orleans.Benchmarks.Quartz;

namespace NodeDb.Orleans.Benchmarks.Scenarios;

/// <summary>
/// S3: N enabled schedules on one silo, none due for weeks: managed memory per schedule, CPU while idle (against the same
/// silo's idle CPU while empty, measured in the same run), and storage operations while idle.
/// </summary>
public static class IdleScaleScenario
{
    /// <summary>Every 1 January at midnight UTC: weeks away, so nothing fires during the run.</summary>
    private const string YearlyCronos = "0 0 0 1 1 *";
    private const string YearlyQuartz = "0 0 0 1 1 ?";
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(3);

    public static async Task<ResultTable> RunAsync(BenchSettings settings, TextWriter log)
    {
        var n = settings.S3Schedules;
        log.WriteLine($"S3: {n} idle schedules, {settings.S3Window.TotalSeconds:0} s CPU windows — NodeDb.Orleans…");
        var nodeDb = await RunNodeDbAsync(settings, log);
        log.WriteLine("S3: … Quartz.NET…");
        var quartz = await RunQuartzAsync(settings);

        var table = new ResultTable($"S3 scale and idle cost: {n} enabled schedules, none due");
        table.Add("schedules active (in the tick index / in the job store)", nodeDb.Active, quartz.Active, "≥ 100,000", n >= 100_000 ? nodeDb.Active >= 100_000 : null, "0");
        table.Add("managed memory per schedule, KB", nodeDb.BytesPerSchedule / 1024, quartz.BytesPerSchedule / 1024, "≤ 2.5 KB", nodeDb.BytesPerSchedule <= 2.5 * 1024, "0.00");
        table.Add("  … before idle activations are collected, KB", nodeDb.BytesPerScheduleLive / 1024, double.NaN, format: "0.00");
        table.Add("idle CPU, empty, % of a core", nodeDb.EmptyCpu * 100, quartz.EmptyCpu * 100, format: "0.00");
        table.Add("idle CPU, with schedules, % of a core", nodeDb.LoadedCpu * 100, quartz.LoadedCpu * 100, format: "0.00");
        table.Add("idle CPU added by the schedules, % of a core", nodeDb.AddedCpu * 100, quartz.AddedCpu * 100, "≤ 1 %", nodeDb.AddedCpu <= 0.01, "0.00");
        table.Add("storage operations while idle", nodeDb.IdleOps.Total, double.NaN, "0", nodeDb.IdleOps.Total == 0, "0");
        table.Add("setup rate, schedules per s", nodeDb.CreateRate, quartz.CreateRate, format: "0");
        table.Note(string.Create(CultureInfo.InvariantCulture,
            $"NodeDb.Orleans idle window: {nodeDb.IdleOps}; Orleans reminder ticks delivered {nodeDb.ReminderTicks}, scheduler pokes {nodeDb.Pokes}."));
        table.Note($"NodeDb.Orleans: the collector was fast-forwarded (IManagementGrain.ForceActivationCollection) after setup, as it would run by itself after the collection age; {nodeDb.ActivationsLeft} activations were left in the silo, every schedule still in the tick index.");
        table.Note("Memory: live managed bytes after a full compacting GC, after minus before creating the schedules, divided by N (grain activations, state, tick index, reminder service, tenant index; Quartz: jobs, triggers, store).");
        table.Note($"NodeDb.Orleans idle profile — {nodeDb.Profile}.");
        table.Note($"Quartz.NET idle profile — {quartz.Profile}.");
        table.Note(MemoryBreakdown.Describe());
        table.Note("Quartz.NET keeps everything in RAM (RAMJobStore), so it has no storage operations to count.");
        return table;
    }

    private static async Task<Result> RunNodeDbAsync(BenchSettings settings, TextWriter log)
    {
        var n = settings.S3Schedules;
        using var counters = new CounterListener("orleans-reminders-ticks-delivered", "nodedb.scheduler.pokes");
        await using var silo = await NodeDbSilo.StartAsync();
        await Task.Delay(Settle);
        var memoryBefore = ProcessMeter.LiveManagedBytes();
        var empty = await ProcessMeter.MeasureCpuAsync(settings.S3Window);

        var created = await ScheduleSetup.CreateAsync(silo.Grains, ScheduleSetup.Names("i", n), YearlyCronos, perTenant: 100, settings.SetupConcurrency);
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"S3: created {n} in {created.TotalSeconds:0.0} s"));
        await Task.Delay(Settle);
        var memoryLive = ProcessMeter.LiveManagedBytes();

        // Fast-forward Orleans' activation collector: left alone it lets each idle schedule's activation go after its
        // collection age (15 min); the schedules stay in the tick index and their reminders in the table.
        var management = silo.Grains.GetGrain<IManagementGrain>(0);
        await management.ForceActivationCollection(TimeSpan.FromSeconds(1));
        await Task.Delay(Settle);
        var memoryAfter = ProcessMeter.LiveManagedBytes();
        var activations = (await management.GetSimpleGrainStatistics()).Sum(s => s.ActivationCount);

        var opsBefore = silo.Storage.Snapshot();
        var (ticks, pokes) = (counters["orleans-reminders-ticks-delivered"], counters["nodedb.scheduler.pokes"]);
        var loaded = await ProcessMeter.MeasureCpuAsync(settings.S3Window);
        var idleOps = silo.Storage.Snapshot() - opsBefore;
        return new Result(
            silo.Indexed,
            (double)(memoryAfter - memoryBefore) / n,
            empty.CoreFraction,
            loaded.CoreFraction,
            n / created.TotalSeconds,
            idleOps,
            counters["orleans-reminders-ticks-delivered"] - ticks,
            counters["nodedb.scheduler.pokes"] - pokes)
        {
            BytesPerScheduleLive = (double)(memoryLive - memoryBefore) / n,
            ActivationsLeft = activations,
            Profile = $"empty window: {empty.Profile}; with schedules: {loaded.Profile}",
        };
    }

    private static async Task<Result> RunQuartzAsync(BenchSettings settings)
    {
        var n = settings.S3Schedules;
        await using var quartz = await QuartzRig.StartAsync(maxConcurrency: 32, maxBatchSize: 0);
        await Task.Delay(Settle);
        var memoryBefore = ProcessMeter.LiveManagedBytes();
        var empty = await ProcessMeter.MeasureCpuAsync(settings.S3Window);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await quartz.ScheduleAsync(ScheduleSetup.Names("i", n), YearlyQuartz);
        var created = clock.Elapsed;
        await Task.Delay(Settle);
        var memoryAfter = ProcessMeter.LiveManagedBytes();
        var loaded = await ProcessMeter.MeasureCpuAsync(settings.S3Window);
        return new Result(n, (double)(memoryAfter - memoryBefore) / n, empty.CoreFraction, loaded.CoreFraction, n / created.TotalSeconds,
            new StorageSnapshot(0, 0, 0, 0), 0, 0)
        {
            Profile = $"empty window: {empty.Profile}; with schedules: {loaded.Profile}",
        };
    }

    private sealed record Result(
        int Active, double BytesPerSchedule, double EmptyCpu, double LoadedCpu, double CreateRate, StorageSnapshot IdleOps, long ReminderTicks, long Pokes)
    {
        public string Profile { get; init; } = "";

        /// <summary>Before the collector ran: every schedule's activation still in memory (the first 15 minutes).</summary>
        public double BytesPerScheduleLive { get; init; } = double.NaN;

        public int ActivationsLeft { get; init; }

        public double AddedCpu => LoadedCpu - EmptyCpu;
    }
}
