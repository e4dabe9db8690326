using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace NodeDb.Orleans.Grains.Hosting;

/// <summary>
/// Raises the thread pool's floor of worker threads when the silo starts (<see cref="SchedulerOptions.MinWorkerThreads"/>):
/// SQLite blocks a pool thread for each statement and <c>fsync</c>, and with the runtime's floor of one thread per core a
/// busy silo starves. Measured at 1,000 runs a second on SQLite tenants (2 cores): start lateness p99 469–571 ms with
/// the runtime's floor, 87–91 ms with 32 threads (docs/benchmarks.md, "Issue 15, 14 and 13, fifth round").
/// </summary>
/// <remarks>Only ever raises the floor: a host that set a higher one keeps it. The ceiling stays the runtime's.</remarks>
public sealed partial class ThreadPoolFloor(IOptions<SchedulerOptions> options, ILogger<ThreadPoolFloor> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>Threads beyond <see cref="SchedulerOptions.MaxConcurrentJobs"/> in the default floor: the grain-state, history and reminder commit queues, grain turns.</summary>
    public const int Headroom = 16;

    /// <summary>The floor the options ask for; 0 to leave the runtime's.</summary>
    public static int Target(SchedulerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.MinWorkerThreads ?? options.MaxConcurrentJobs + Headroom;
    }

    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(nameof(ThreadPoolFloor), ServiceLifecycleStage.First, _ =>
        {
            Apply();
            return Task.CompletedTask;
        });
    }

    /// <summary>Raises the floor to <see cref="Target"/> if it is lower; returns the floor in force.</summary>
    public int Apply()
    {
        var target = Target(options.Value);
        ThreadPool.GetMinThreads(out var workers, out var io);
        if (target > workers)
        {
            if (!ThreadPool.SetMinThreads(target, io))
            {
                LogNotRaised(logger, workers, target);
                return workers;
            }

            LogRaised(logger, workers, target);
            return target;
        }

        return workers;
    }

    [LoggerMessage(EventId = 1020, Level = LogLevel.Debug, Message = "Thread pool floor raised from {Before} to {After} worker threads (Scheduler:MinWorkerThreads)")]
    private static partial void LogRaised(ILogger logger, int before, int after);

    [LoggerMessage(EventId = 1021, Level = LogLevel.Warning, Message = "The runtime refused to raise the thread pool floor from {Before} to {Target} worker threads (Scheduler:MinWorkerThreads); a busy SQLite silo may start runs late")]
    private static partial void LogNotRaised(ILogger logger, int before, int target);
}
