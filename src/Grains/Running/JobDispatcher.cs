using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodeDb.Orleans.Grains.Diagnostics;
using NodeDb.Orleans.Grains.Hosting;
using NodeDb.Orleans.Grains.Schedules;

namespace NodeDb.Orleans.Grains.Running;

/// <summary>
/// Runs bodies on this silo, at most <see cref="SchedulerOptions.MaxConcurrentJobs"/> at once, and reports each end to
/// its schedule grain. A run refused by the cap is never dropped silently: the caller records it as Rejected.
/// </summary>
/// <remarks>
/// Runs execute off the grain's turn. A completion that cannot be delivered (the silo is going away) is not lost:
/// the run stays in flight in the grain's state and is settled from the tenant's run ledger.
/// </remarks>
public sealed partial class JobDispatcher(
    IJobRunner runner,
    IGrainFactory grains,
    SchedulerClock clock,
    TimeProvider infrastructureTime,
    IOptions<SchedulerOptions> options,
    ILocalSiloDetails silo,
    SchedulerInstruments instruments,
    ILogger<JobDispatcher> logger)
{
    private const string ShutdownReason = "silo shutting down";
    private readonly ConcurrentDictionary<string, Entry> _running = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<DateTimeOffset, Task> _instants = new();
    private readonly int _cap = options.Value.MaxConcurrentJobs;
    private int _count;
    private volatile bool _stopping;

    /// <summary>Bodies running on this silo now (what the cap counts).</summary>
    public int InFlight => Volatile.Read(ref _count);

    /// <summary>Runs due here and waiting for a slot. Runs are refused at the cap today, so nothing waits.</summary>
    public int QueueLength => 0;

    /// <summary>Runs claimed ahead of their instant and held here until then (read by the metrics, on collection only).</summary>
    public int Armed => _running.Values.Count(e => e.Held);

    public string SiloName { get; } = silo.SiloAddress.ToParsableString();

    public bool IsRunning(string runId) => _running.ContainsKey(runId);

    /// <summary>
    /// Starts a run unless the silo is at its cap or stopping; returns false then. A run whose
    /// <see cref="RunTicket.NotBefore"/> lies ahead is held until that instant and takes its slot only then; if the
    /// cap is full at that instant, it ends as Rejected through its completion.
    /// </summary>
    public bool TryStart(RunTicket ticket)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        if (_stopping)
        {
            return false;
        }

        var held = ticket.NotBefore is { } notBefore && notBefore > clock.GetUtcNow();
        if (!held && !TryTakeSlot())
        {
            return false;
        }

        var entry = new Entry(held);
        if (!_running.TryAdd(ticket.RunId, entry))
        {
            // The same run id is already running here: starting it again would only collide in the ledger.
            entry.ReleaseSlot(ref _count);
            return true;
        }

        if (held)
        {
            entry.Task = Task.Run(() => HoldAsync(ticket, entry));
            return true;
        }

        // The start instant is taken here, in the caller's turn: the run is handed to the runner right after.
        var startedAt = clock.GetUtcNow();
        entry.Task = Task.Run(() => RunAsync(ticket, entry, startedAt));
        return true;
    }

    private bool TryTakeSlot()
    {
        if (Interlocked.Increment(ref _count) > _cap)
        {
            Interlocked.Decrement(ref _count);
            return false;
        }

        return true;
    }

    /// <summary>Waits for an armed run's instant, then runs it, or ends it as Rejected when the cap is full then.</summary>
    private async Task HoldAsync(RunTicket ticket, Entry entry)
    {
        var handedOver = false;
        try
        {
            try
            {
                await WhenReached(ticket.NotBefore!.Value).WaitAsync(entry.Cancellation.Token);
            }
            catch (OperationCanceledException)
            {
                // Cancelled before it started. By shutdown: not reported, left in flight and settled from the ledger
                // like a running one. By its schedule (drop, CANCEL_PREVIOUS): reported as Cancelled.
                if (entry.Reason != ShutdownReason)
                {
                    await DeliverAsync(ticket.ScheduleKey, End(ticket, RunStatus.Cancelled, entry.Reason));
                }

                return;
            }

            if (_stopping || !TryTakeSlot())
            {
                await DeliverAsync(ticket.ScheduleKey, End(ticket, RunStatus.Rejected, $"silo {SiloName} was at its cap of concurrent runs or stopping"));
                return;
            }

            entry.TookSlot();
            handedOver = true;
            await RunAsync(ticket, entry, clock.GetUtcNow());
        }
        finally
        {
            if (!handedOver)
            {
                _running.TryRemove(ticket.RunId, out _);
                entry.Cancellation.Dispose();
            }
        }
    }

    /// <summary>
    /// One wait per instant, shared by every run armed for it: at a busy second, the runs are started one after another
    /// by the waking thread, not by as many timers waking threads of their own.
    /// </summary>
    private Task WhenReached(DateTimeOffset instant)
    {
        var wait = _instants.GetOrAdd(instant, WaitThenForgetAsync);
        if (wait.IsCompleted)
        {
            // Already past when asked: the wait ended before it was stored, so its own clean-up could not remove it.
            _instants.TryRemove(new KeyValuePair<DateTimeOffset, Task>(instant, wait));
        }

        return wait;
    }

    private async Task WaitThenForgetAsync(DateTimeOffset instant)
    {
        try
        {
            await clock.WaitUntilAsync(instant);
        }
        finally
        {
            _instants.TryRemove(instant, out _);
        }
    }

    private RunCompletion End(RunTicket ticket, RunStatus status, string? reason)
    {
        var now = clock.GetUtcNow();
        return new RunCompletion(ticket.RunId, status, 0, null, reason, now, now, SiloName);
    }

    /// <summary>Cancels a run in flight here; it ends as Cancelled with <paramref name="reason"/>.</summary>
    public bool Cancel(string runId, string reason)
    {
        if (!_running.TryGetValue(runId, out var entry))
        {
            return false;
        }

        entry.Reason = reason;
        entry.Cancellation.Cancel();
        return true;
    }

    /// <summary>Waits until no run is in flight (tests; shutdown).</summary>
    public async Task WhenIdleAsync(CancellationToken cancellationToken = default)
    {
        while (!_running.IsEmpty)
        {
            var tasks = _running.Values.Select(e => e.Task).Where(t => t is not null).Cast<Task>().ToArray();
            await Task.WhenAll(tasks).WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Stops taking runs, lets running ones finish for the drain period, then cancels the rest. Cancelled runs roll
    /// back and are left in flight, to be settled from the ledger by the next activation of their schedule.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        foreach (var (runId, entry) in _running)
        {
            if (entry.Held)
            {
                // Armed but not started: nothing to drain. Left in flight, settled from the ledger like a cancelled run.
                Cancel(runId, ShutdownReason);
            }
        }

        using var drain = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        drain.CancelAfter(options.Value.ShutdownDrain);
        try
        {
            await WhenIdleAsync(drain.Token);
        }
        catch (OperationCanceledException)
        {
            foreach (var (runId, _) in _running)
            {
                Cancel(runId, ShutdownReason);
            }

            LogDrainTimedOut(logger, _running.Count);
            try
            {
                await Task.WhenAll(_running.Values.Select(e => e.Task ?? Task.CompletedTask))
                    .WaitAsync(TimeSpan.FromSeconds(5), infrastructureTime);
            }
            catch (TimeoutException)
            {
                // Whatever did not stop is still in flight in its grain's state and is settled from the ledger.
            }
        }
    }

    private async Task RunAsync(RunTicket ticket, Entry entry, DateTimeOffset startedAt)
    {
        try
        {
            if (ticket.ScheduledAt is { } scheduled && ticket.Trigger is RunTrigger.Cron)
            {
                instruments.RunStarted(startedAt - scheduled, ticket.Tenant);
            }

            JobOutcome outcome;
            try
            {
                outcome = await runner.RunAsync(ticket.ToRequest(), entry.Cancellation.Token);
            }
            catch (OperationCanceledException) when (entry.Cancellation.IsCancellationRequested)
            {
                outcome = new JobOutcome(RunStatus.Cancelled, 1);
            }
            catch (Exception e)
            {
                // A runner bug must still end the run with a row, never leave it in flight forever.
                outcome = new JobOutcome(RunStatus.Failed, 1, e.Message);
            }
            finally
            {
                // The cap bounds bodies running against databases, not the bookkeeping after them: the slot is free
                // as soon as the body ends, while the completion is still being recorded.
                entry.ReleaseSlot(ref _count);
            }

            if (entry.Cancellation.IsCancellationRequested && outcome.Status is RunStatus.Cancelled or RunStatus.Failed)
            {
                if (entry.Reason == ShutdownReason)
                {
                    // Not reported: the run stays in flight in its schedule's state, and whichever silo activates the
                    // schedule next settles it from the tenant's ledger exactly as after a crash (committed → recovered;
                    // rolled back → run again there, or recorded Interrupted when the missed policy says so).
                    LogLeftToLedger(logger, ticket.RunId);
                    return;
                }

                outcome = outcome with { Status = RunStatus.Cancelled, Reason = entry.Reason };
            }

            var completion = new RunCompletion(
                ticket.RunId, outcome.Status, outcome.Attempt, outcome.Error, outcome.Reason, startedAt, clock.GetUtcNow(), SiloName);

            // A body that ended at once (or failed to start) must not make the runs armed for the same instant wait
            // behind its bookkeeping: report it from the thread pool, not from the thread that starts them.
            await Task.Yield();
            await DeliverAsync(ticket.ScheduleKey, completion);
        }
        finally
        {
            entry.ReleaseSlot(ref _count);
            _running.TryRemove(ticket.RunId, out _);
            entry.Cancellation.Dispose();
        }
    }

    private async Task DeliverAsync(string scheduleKey, RunCompletion completion)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await grains.GetGrain<IScheduleRuntimeGrain>(scheduleKey).CompleteRunAsync(completion);
                return;
            }
            catch (Exception e) when (attempt < 5)
            {
                LogDeliveryRetry(logger, e, completion.RunId, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), infrastructureTime);
            }
            catch (Exception e)
            {
                // Safe to give up: the run is still in flight in the grain's state and is settled from the ledger.
                LogDeliveryFailed(logger, e, completion.RunId);
                return;
            }
        }
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Delivering the completion of run {RunId} failed (attempt {Attempt}); retrying")]
    private static partial void LogDeliveryRetry(ILogger logger, Exception exception, string runId, int attempt);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Error, Message = "Could not deliver the completion of run {RunId}; it will be settled from the run ledger")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception, string runId);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "Run {RunId} was cancelled by shutdown; the next activation of its schedule settles it from the ledger")]
    private static partial void LogLeftToLedger(ILogger logger, string runId);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Shutdown drain timed out; cancelling {Count} runs as interrupted")]
    private static partial void LogDrainTimedOut(ILogger logger, int count);

    private sealed class Entry(bool held)
    {
        public CancellationTokenSource Cancellation { get; } = new();

        /// <summary>Waiting for its instant, without a slot.</summary>
        public bool Held { get; private set; } = held;

        public string? Reason { get; set; }

        public Task? Task { get; set; }

        private int _slotReleased = held ? 1 : 0;

        /// <summary>The held run reached its instant and took a slot.</summary>
        public void TookSlot()
        {
            Held = false;
            Volatile.Write(ref _slotReleased, 0);
        }

        /// <summary>Gives the run's slot back exactly once.</summary>
        public void ReleaseSlot(ref int count)
        {
            if (Interlocked.Exchange(ref _slotReleased, 1) == 0)
            {
                Interlocked.Decrement(ref count);
            }
        }
    }
}
