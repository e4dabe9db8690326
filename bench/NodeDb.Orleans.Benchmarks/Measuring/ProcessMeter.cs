using System.Diagnostics;

namespace NodeDb.Orleans.Benchmarks.Measuring;

/// <summary>Process CPU time and managed heap size, read the way the benchmark compares them.</summary>
public static class ProcessMeter
{
    public static TimeSpan CpuTime()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    /// <summary>Managed bytes live after a full, compacting collection (finalizers run twice so nothing dead is counted).</summary>
    public static long LiveManagedBytes()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    /// <summary>Measures the CPU the process burns over a window of wall time, as a fraction of one core.</summary>
    public static async Task<CpuWindow> MeasureCpuAsync(TimeSpan window, CancellationToken cancellationToken = default)
    {
        var wall = Stopwatch.StartNew();
        var before = CpuTime();
        var (gen0, gen1, gen2) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        var allocated = GC.GetTotalAllocatedBytes();
        var workItems = ThreadPool.CompletedWorkItemCount;
        var pause = GC.GetTotalPauseDuration();
        var threads = ThreadCpu.Snapshot();
        await Task.Delay(window, cancellationToken);
        var threadsAfter = ThreadCpu.Snapshot();
        var used = CpuTime() - before;
        wall.Stop();
        return new CpuWindow(used, wall.Elapsed)
        {
            Profile = string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"GCs gen0/1/2 {GC.CollectionCount(0) - gen0}/{GC.CollectionCount(1) - gen1}/{GC.CollectionCount(2) - gen2}, " +
                $"GC pause {(GC.GetTotalPauseDuration() - pause).TotalMilliseconds:0} ms, allocated {(GC.GetTotalAllocatedBytes() - allocated) / 1024.0 / 1024:0.0} MB, " +
                $"thread-pool work items {ThreadPool.CompletedWorkItemCount - workItems}, active timers {Timer.ActiveCount}, busiest threads: {ThreadCpu.Top(threads, threadsAfter)}"),
        };
    }
}

/// <summary>CPU used over a wall-clock window.</summary>
public sealed record CpuWindow(TimeSpan Cpu, TimeSpan Wall)
{
    /// <summary>What ran in the window: collections, allocation, thread-pool work, timers.</summary>
    public string Profile { get; init; } = "";

    /// <summary>Share of one core, 0.01 = 1 %.</summary>
    public double CoreFraction => Cpu.TotalSeconds / Wall.TotalSeconds;
}
