using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodeDb.Orleans.Grains.Hosting;
using NodeDb.Orleans.Grains.Running;
using NodeDb.Orleans.Grains.Schedules;
using NodeDb.Orleans.Grains.Ticking;
using Orleans.Runtime.Placement;

namespace NodeDb.Orleans.Grains.Recovery;

/// <summary>
/// A graceful stop hands this silo's schedules to the active silos that remain before it stops firing, so a rolling
/// deploy shows nothing in history: no Missed, Interrupted or Rejected row, and no run started late by the stop.
/// </summary>
/// <remarks>
/// <para>It stops first of the scheduler's parts (one stage above <see cref="ServiceLifecycleStage.Active"/>): the tick
/// loop and the dispatcher keep working while it runs, so schedules not yet handed over still fire here. For each
/// schedule in this silo's tick index it asks the schedule to hand itself over
/// (<see cref="IScheduleRuntimeGrain.HandOffAsync"/>: runs armed but not started are taken back from the dispatcher,
/// and the activation migrates to a survivor, which dispatches them at their instant), then pokes it with the same
/// placement hint, so a schedule whose migration did not happen, or that had no activation, is active on the survivor
/// at once. It repeats until neither the tick index nor the dispatcher holds anything and no poke is under way; from
/// its start, a schedule poked or dispatching here moves itself instead (<see cref="SurvivorFor"/>).</para>
/// <para>Runs already running stay and finish during the dispatcher's drain; their completions reach the schedule
/// wherever it now lives. Whatever is not handed over within <see cref="SchedulerOptions.ShutdownHandOff"/> (or when
/// no other silo is active) is left to the failure path, which settles it from the tenant's ledger.</para>
/// </remarks>
public sealed partial class ShutdownHandOff(
    DueIndex index,
    JobDispatcher dispatcher,
    SchedulerTickService ticker,
    IGrainFactory grains,
    IClusterMembershipService membership,
    ILocalSiloDetails localSilo,
    IOptions<SchedulerOptions> options,
    TimeProvider time,
    ILogger<ShutdownHandOff> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>The lifecycle stage it stops at: before the tick loop and the dispatcher (both at Active).</summary>
    public const int Stage = ServiceLifecycleStage.Active + 1;

    private const int MaxAttempts = 3;
    private const int MaxPasses = 20;
    private const int MaxConcurrentHandOffs = 32;
    private static readonly TimeSpan PollPokes = TimeSpan.FromMilliseconds(20);

    private volatile SiloAddress[]? _survivors;

    /// <summary>Raised when a hand-off ends (tests and diagnostics): how many schedules moved and how long it took.</summary>
    public event Action<HandOffReport>? Completed;

    /// <summary>
    /// Where a schedule on this silo must go instead of dispatching here, once this silo has begun handing off; null while
    /// it is not stopping (or has nobody to hand to). Schedules activated here after the passes ask this themselves.
    /// </summary>
    public SiloAddress? SurvivorFor(string scheduleKey) =>
        _survivors is { Length: > 0 } survivors
            ? survivors[(int)((uint)StringComparer.Ordinal.GetHashCode(scheduleKey) % (uint)survivors.Length)]
            : null;

    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(nameof(ShutdownHandOff), Stage, _ => Task.CompletedTask, StopAsync);
    }

    /// <summary>Hands every schedule this silo runs to the other active silos; returns what it did.</summary>
    public async Task<HandOffReport> HandOffAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var self = localSilo.SiloAddress;
        var survivors = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active && !m.SiloAddress.Equals(self))
            .Select(m => m.SiloAddress)
            .OrderBy(a => a.ToParsableString(), StringComparer.Ordinal)
            .ToArray();
        if (survivors.Length == 0 || options.Value.ShutdownHandOff <= TimeSpan.Zero)
        {
            return Report(0, 0, 0, started, survivors: 0);
        }

        _survivors = survivors;
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(options.Value.ShutdownHandOff);
        var from = self.ToParsableString();
        int moved = 0, failed = 0, passes = 0, next = 0;
        var failures = new System.Collections.Concurrent.ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        try
        {
            while (passes < MaxPasses)
            {
                // What lives here: schedules in the tick index, and those with a run waiting in the dispatcher (a
                // schedule being poked is out of the index until its tick ends, but its armed run is not). A schedule
                // whose hand-off failed MaxAttempts times is left to the failure path.
                var keys = index.Keys()
                    .Union(dispatcher.WaitingScheduleKeys(), StringComparer.Ordinal)
                    .Where(k => failures.GetValueOrDefault(k) < MaxAttempts)
                    .ToList();
                if (keys.Count == 0)
                {
                    if (ticker.PokesInFlight == 0)
                    {
                        break;
                    }

                    // Pokes under way register their schedules here again when they end (or, seeing the hand-off,
                    // move them themselves): look again shortly.
                    await Task.Delay(PollPokes, time, budget.Token);
                    continue;
                }

                passes++;
                await Parallel.ForEachAsync(
                    keys,
                    new ParallelOptions { MaxDegreeOfParallelism = MaxConcurrentHandOffs, CancellationToken = budget.Token },
                    async (key, _) =>
                    {
                        // Round robin over the survivors: a stop spreads its schedules instead of doubling one silo.
                        var target = survivors[(Interlocked.Increment(ref next) & int.MaxValue) % survivors.Length];
                        if (await HandOffOneAsync(key, from, target))
                        {
                            Interlocked.Increment(ref moved);
                        }
                        else
                        {
                            failures.AddOrUpdate(key, 1, (_, n) => n + 1);
                        }
                    });
            }
        }
        catch (OperationCanceledException) when (budget.IsCancellationRequested)
        {
            LogBudgetSpent(logger, options.Value.ShutdownHandOff.TotalSeconds, index.Count);
        }

        failed = failures.Count;
        return Report(moved, failed, passes, started, survivors.Length);
    }

    private async Task<bool> HandOffOneAsync(string key, string from, SiloAddress target)
    {
        try
        {
            // The hint steers both the migration and, for a schedule with no activation here, its new activation.
            RequestContext.Set(IPlacementDirector.PlacementHintKey, target);
            var grain = grains.GetGrain<IScheduleRuntimeGrain>(key);
            await grain.HandOffAsync(from, target.ToParsableString());
            index.Remove(key);

            // Active on the survivor now, whichever way it got there: a poke is harmless where it already lives.
            await grain.TickAsync();
            return true;
        }
        catch (Exception e)
        {
            // Left to the failure path: survivors wake it when this silo is gone and settle its runs from the ledger.
            LogHandOffFailed(logger, e, key);
            return false;
        }
        finally
        {
            RequestContext.Remove(IPlacementDirector.PlacementHintKey);
        }
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await HandOffAsync(cancellationToken);
        }
        catch (Exception e)
        {
            LogHandOffFailed(logger, e, "*");
        }
    }

    private HandOffReport Report(int moved, int failed, int passes, long started, int survivors)
    {
        var report = new HandOffReport(moved, failed, passes, survivors, time.GetElapsedTime(started));
        if (survivors > 0)
        {
            LogHandedOff(logger, moved, survivors, failed, report.Elapsed.TotalMilliseconds);
        }

        Completed?.Invoke(report);
        return report;
    }

    [LoggerMessage(EventId = 4020, Level = LogLevel.Information, Message = "Shutdown: handed {Moved} schedules to {Survivors} active silos ({Failed} left to the failure path) in {ElapsedMs:F0} ms")]
    private static partial void LogHandedOff(ILogger logger, int moved, int survivors, int failed, double elapsedMs);

    [LoggerMessage(EventId = 4021, Level = LogLevel.Warning, Message = "Shutdown: handing schedule {Key} over failed; the survivors settle it when this silo is gone")]
    private static partial void LogHandOffFailed(ILogger logger, Exception exception, string key);

    [LoggerMessage(EventId = 4022, Level = LogLevel.Warning, Message = "Shutdown: the hand-off took its whole budget of {Seconds} s; {Left} schedules are left to the failure path")]
    private static partial void LogBudgetSpent(ILogger logger, double seconds, int left);
}
