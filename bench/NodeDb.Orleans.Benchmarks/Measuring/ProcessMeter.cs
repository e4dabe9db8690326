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
        await Task.Delay(window, cancellationToken);
        var used = CpuTime() - before;
        wall.Stop();
        return new CpuWindow(used, wall.Elapsed);
    }
}

/// <summary>CPU used over a wall-clock window.</summary>
public sealed record CpuWindow(TimeSpan Cpu, TimeSpan Wall)
{
    /// <summary>Share of one core, 0.01 = 1 %.</summary>
    public double CoreFraction => Cpu.TotalSeconds / Wall.TotalSeconds;
}
