using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodeDb.Orleans.Grains.Diagnostics;
using NodeDb.Orleans.Grains.Hosting;
using NodeDb.Orleans.Grains.Schedules;

namespace NodeDb.Orleans.Grains.Running;

/// <summary>
/// Runs bodies on this silo: at most <see cref="SchedulerOptions.MaxConcurrentJobs"/> at once, and at most
/// <see cref="SchedulerOptions.MaxConcurrentRunsPerTenant"/> of one tenant. A run that finds no slot waits in a queue
/// that is fair across tenants and starts as soon as a slot frees; it is Rejected only when it could not start within
/// <see cref="SchedulerOptions.Grace"/> of its instant. Each end is reported to the run's schedule grain.
/// </summary>
/// <remarks>
/// Runs are known by schedule and run id (<see cref="RunKey"/>) and answer to a dispatch token, so the schedule can ask
/// where a run stands (<see cref="Find"/>) instead of guessing from the ledger. A completion that cannot be delivered is
/// parked here until the schedule collects it; one that dies with the silo is settled from the tenant's run ledger.
/// </remarks>
public sealed partial class JobDispatcher : IDisposable, IRunSlotPool
{
    private const string ShutdownReason = "silo shutting down";
    private static readonly TimeSpan[] DeliveryBackoff = [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)];

    private readonly IJobRunner _runner;
    private readonly IGrainFactory _grains;
    private readonly SchedulerClock _clock;
    private readonly TimeProvider _infrastructureTime;
    private readonly SchedulerOptions _options;
    private readonly SchedulerInstruments _instruments;
    private readonly ILogger<JobDispatcher> _logger;
    private readonly object _gate = new();
    private readonly Dictionary<RunKey, DispatchedRun> _runs = [];
    private readonly Dictionary<DateTimeOffset, List<DispatchedRun>> _held = [];
    private readonly FairRunQueue _queue = new();
    private readonly ITimer _deadlineTimer;
    private readonly CancellationTokenSource _stop = new();
    private DateTimeOffset? _deadlineArmedFor;
    private int _running;
    private bool _stopping;

    public JobDispatcher(
        IJobRunner runner,
        IGrainFactory grains,
        SchedulerClock clock,
        TimeProvider infrastructureTime,
        IOptions<SchedulerOptions> options,
        ILocalSiloDetails silo,
        SchedulerInstruments instruments,
        ILogger<JobDispatcher> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(silo);
        _runner = runner;
        _grains = grains;
        _clock = clock;
        _infrastructureTime = infrastructureTime;
        _options = options.Value;
        _instruments = instruments;
        _logger = logger;
        SiloName = silo.SiloAddress.ToParsableString();
        _deadlineTimer = clock.Provider.CreateTimer(_ => RejectExpired(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Slots taken on this silo now (what the cap counts): runs running, and tenant writers' lanes (see <see cref="RunSlot"/>).</summary>
    public int InFlight => Volatile.Read(ref _running);

    /// <summary>Runs whose instant has come, waiting for a slot.</summary>
    public int QueueLength
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>Runs armed ahead, waiting for their instant.</summary>
    public int Armed
    {
        get
        {
            lock (_gate)
            {
                return _held.Values.Sum(l => l.Count);
            }
        }
    }

    public string SiloName { get; }

    /// <summary>
    /// Takes a run: it is held until <see cref="RunTicket.NotBefore"/> when that lies ahead, then queued, then started as
    /// soon as the caps allow. Returns false only when the silo is stopping (the caller records that).
    /// </summary>
    public bool TryAccept(RunTicket ticket)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        List<DispatchedRun> toStart;
        lock (_gate)
        {
            if (_stopping)
            {
                return false;
            }

            var key = new RunKey(ticket.ScheduleKey, ticket.RunId);
            if (_runs.TryGetValue(key, out var existing))
            {
                // The same run is still here: a second body would only collide in the ledger. The new dispatch adopts it.
                existing.Adopt(ticket.Dispatch);
                LogAdopted(_logger, ticket.RunId, ticket.ScheduleKey, existing.Phase);
                return true;
            }

            var now = _clock.GetUtcNow();
            var held = ticket.NotBefore is { } notBefore && notBefore > now;
            var run = new DispatchedRun(ticket, now, held ? RunPhase.Held : RunPhase.Queued);
            _runs.Add(key, run);
            if (held)
            {
                Hold(run, ticket.NotBefore!.Value);
                return true;
            }

            Enqueue(run, now);
            toStart = Pump(now);
        }

        StartAll(toStart);
        return true;
    }

    /// <summary>Where a dispatch stands here; null when this silo does not know it (never given, or settled and forgotten).</summary>
    public DispatchReport? Find(RunKey key, string dispatch)
    {
        lock (_gate)
        {
            return _runs.TryGetValue(key, out var run) && run.Dispatch == dispatch
                ? new DispatchReport(run.Phase, run.Phase is RunPhase.Finishing or RunPhase.Parked ? run.Completion : null)
                : null;
        }
    }

    /// <summary>The schedule settled a parked completion itself: forget the run.</summary>
    public void Forget(RunKey key, string dispatch)
    {
        lock (_gate)
        {
            if (_runs.TryGetValue(key, out var run) && run.Dispatch == dispatch && run.Phase == RunPhase.Parked)
            {
                Remove(run);
            }
        }
    }

    /// <summary>
    /// The schedules with a run here that a stop hands over: held for an instant beyond the keep window
    /// (<see cref="SchedulerOptions.ShutdownKeepWindow"/>). Runs due sooner, and runs queued for a slot, start here.
    /// </summary>
    public List<string> WaitingScheduleKeys()
    {
        lock (_gate)
        {
            var horizon = KeepHorizon();
            return [.. _runs.Values.Where(r => MovesOnStop(r, horizon)).Select(r => r.Ticket.ScheduleKey).Distinct(StringComparer.Ordinal)];
        }
    }

    /// <summary>
    /// Takes back, for a stop's hand-off, a run held for an instant beyond the keep window, so its schedule can dispatch
    /// it on another silo: it leaves without a completion and never starts here. False when it is not here under this
    /// dispatch, has started, is queued for a slot, or is due within the keep window: then it runs here (during the
    /// drain, if the silo is stopping) and reports as usual.
    /// </summary>
    public bool Withdraw(RunKey key, string dispatch)
    {
        lock (_gate)
        {
            if (!_runs.TryGetValue(key, out var run) || run.Dispatch != dispatch || !MovesOnStop(run, KeepHorizon()))
            {
                return false;
            }

            Unwait(run);
            Remove(run);
            return true;
        }
    }

    /// <summary>
    /// Cancels a run here: one that has not started ends Cancelled at once; a running one is interrupted, unless
    /// <paramref name="onlyBeforeStart"/>: then only a run still held for its instant (a pause or a disable withdraws what is
    /// armed "before its instant"; once the instant has come the occurrence stands, even while it queues for a slot).
    /// </summary>
    public bool Cancel(RunKey key, string reason, bool onlyBeforeStart = false)
    {
        DispatchedRun? run;
        RunCompletion? ended = null;
        lock (_gate)
        {
            if (!_runs.TryGetValue(key, out run)
                || (onlyBeforeStart && run.Phase is not RunPhase.Held)
                || !run.MarkCancelled(reason))
            {
                return false;
            }

            if (run.Phase is RunPhase.Held or RunPhase.Queued)
            {
                Unwait(run);
                ended = End(run, RunStatus.Cancelled, reason);
                run.Finish(ended);
                if (reason == ShutdownReason)
                {
                    // Never started: nothing to report. Left in flight in its schedule's state and settled from the ledger.
                    Remove(run);
                    return true;
                }
            }
        }

        if (ended is null)
        {
            try
            {
                run.Cancellation.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // It ended and was forgotten meanwhile: its own outcome stands.
            }
        }
        else
        {
            _ = DeliverAsync(run);
        }

        return true;
    }

    /// <summary>Waits until no run is held, queued, running or on its way to its schedule (tests; shutdown).</summary>
    public async Task WhenIdleAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task[] active;
            lock (_gate)
            {
                active = [.. _runs.Values.Where(r => r.Phase != RunPhase.Parked).Select(r => r.Done.Task)];
            }

            if (active.Length == 0)
            {
                return;
            }

            await Task.WhenAll(active).WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Stops taking runs. Runs already running, queued for a slot, or held for an instant within the keep window
    /// (<see cref="SchedulerOptions.ShutdownKeepWindow"/>; the hand-off left them here) run for the drain period, then
    /// whatever has not ended is cancelled. A run cancelled before it started is left in flight in its schedule's state
    /// and settled from the ledger, as after a crash.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        List<DispatchedRun> beyond;
        lock (_gate)
        {
            _stopping = true;
            var horizon = KeepHorizon();
            beyond = [.. _runs.Values.Where(r => MovesOnStop(r, horizon))];
        }

        // Only there when the hand-off could not move them (no survivor, or its budget spent).
        foreach (var run in beyond)
        {
            Cancel(run.Key, ShutdownReason);
        }

        using var drain = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        drain.CancelAfter(_options.ShutdownDrain);
        try
        {
            await WhenIdleAsync(drain.Token);
        }
        catch (OperationCanceledException)
        {
            List<DispatchedRun> left;
            lock (_gate)
            {
                left = [.. _runs.Values.Where(r => r.Phase is RunPhase.Held or RunPhase.Queued or RunPhase.Running)];
            }

            foreach (var run in left)
            {
                Cancel(run.Key, ShutdownReason);
            }

            LogDrainTimedOut(_logger, left.Count);
            try
            {
                await WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(5), _infrastructureTime);
            }
            catch (TimeoutException)
            {
                // Whatever did not stop is still in flight in its grain's state and is settled from the ledger.
            }
        }
        finally
        {
            // Only now: the waits of runs held within the keep window had to end by their instant, not by the stop.
            await _stop.CancelAsync();
        }
    }

    public void Dispose()
    {
        _deadlineTimer.Dispose();
        _stop.Dispose();
    }

    private DateTimeOffset KeepHorizon() =>
        _clock.GetUtcNow() + (_options.ShutdownKeepWindow < _options.ShutdownDrain ? _options.ShutdownKeepWindow : _options.ShutdownDrain);

    /// <summary>Whether a stop moves this run with its schedule: held for an instant beyond <paramref name="horizon"/>.</summary>
    private static bool MovesOnStop(DispatchedRun run, DateTimeOffset horizon) =>
        run.Phase == RunPhase.Held && run.Ticket.NotBefore is { } instant && instant > horizon;

    private void Hold(DispatchedRun run, DateTimeOffset instant)
    {
        if (_held.TryGetValue(instant, out var list))
        {
            list.Add(run);
            return;
        }

        // One wait per instant, shared by every run armed for it: at a busy second the runs are queued together and
        // started back to back, not by as many timers waking threads of their own.
        _held.Add(instant, [run]);
        _ = ReleaseAtAsync(instant);
    }

    private async Task ReleaseAtAsync(DateTimeOffset instant)
    {
        try
        {
            await _clock.WaitUntilAsync(instant, _stop.Token);
        }
        catch (OperationCanceledException)
        {
            // Shutdown after the drain: StopAsync cancelled the held runs, which their schedules settle from the ledger.
            return;
        }

        List<DispatchedRun> toStart;
        lock (_gate)
        {
            if (!_held.Remove(instant, out var runs))
            {
                return;
            }

            var now = _clock.GetUtcNow();
            foreach (var run in runs)
            {
                Enqueue(run, now);
            }

            toStart = Pump(now);
        }

        StartAll(toStart);
    }

    private void Enqueue(DispatchedRun run, DateTimeOffset now)
    {
        run.Enqueue(now, _options.Grace);
        _queue.Enqueue(run);
    }

    /// <summary>Takes as many waiting runs as the caps allow, fairly; the caller starts them outside the lock.</summary>
    private List<DispatchedRun> Pump(DateTimeOffset now)
    {
        var toStart = new List<DispatchedRun>();
        while (_running < _options.MaxConcurrentJobs && _queue.TryDequeue(_options.MaxConcurrentRunsPerTenant) is { } run)
        {
            run.Start(now, new RunSlot(this, run.Ticket.Tenant));
            _running++;
            toStart.Add(run);
        }

        ArmDeadline(now);
        return toStart;
    }

    private void StartAll(List<DispatchedRun> runs)
    {
        foreach (var run in runs)
        {
            _ = Task.Run(() => ExecuteAsync(run));
        }
    }

    private async Task ExecuteAsync(DispatchedRun run)
    {
        var ticket = run.Ticket;
        JobOutcome outcome;
        try
        {
            outcome = await _runner.RunAsync(ticket.ToRequest() with { Slot = run.Slot }, run.Cancellation.Token);
        }
        catch (OperationCanceledException) when (run.Cancellation.IsCancellationRequested)
        {
            outcome = new JobOutcome(RunStatus.Cancelled, 1);
        }
        catch (Exception e)
        {
            // A runner bug must still end the run with a row, never leave it in flight forever.
            outcome = new JobOutcome(RunStatus.Failed, 1, e.Message);
        }

        // The start a user sees is when the body began in the database: a wait for the tenant's writer counts as late.
        var startedAt = run.StartedAt!.Value + (outcome.StartDelay ?? TimeSpan.Zero);
        if (ticket.ScheduledAt is { } scheduled && ticket.Trigger is RunTrigger.Cron)
        {
            _instruments.RunStarted(startedAt - scheduled, ticket.Tenant);
        }

        // The cap bounds bodies running against databases, not the bookkeeping after them: the slot is free as soon as the
        // body ends, while its completion is still on its way (unless the runner passed it on earlier, see RunSlot).
        run.Slot!.ReleaseAtRunEnd();
        var leftToLedger = false;
        lock (_gate)
        {
            var now = _clock.GetUtcNow();
            if (outcome.Uncertain || (outcome.Status == RunStatus.Cancelled && run.CancelReason == ShutdownReason))
            {
                // Not reported: the run stays in flight in its schedule's state, and whichever silo activates the schedule
                // next settles it from the tenant's ledger exactly as after a crash.
                leftToLedger = true;
                run.Finish(End(run, RunStatus.Cancelled, ShutdownReason));
                Remove(run);
            }
            else
            {
                if (outcome.Status == RunStatus.Cancelled && run.CancelReason is { } reason)
                {
                    outcome = outcome with { Reason = reason };
                }

                run.Finish(new RunCompletion(ticket.RunId, outcome.Status, outcome.Attempt, outcome.Error, outcome.Reason, startedAt, now, SiloName)
                {
                    Dispatch = run.Dispatch,
                    Waited = run.Waited,
                });
            }
        }

        if (leftToLedger)
        {
            LogLeftToLedger(_logger, ticket.RunId);
            return;
        }

        await DeliverAsync(run);
    }

    /// <summary>A slot is free again (its run ended, joined a writer's lane, or the lane holding it stopped): the next runs start.</summary>
    void IRunSlotPool.FreeSlot(string tenant)
    {
        List<DispatchedRun> toStart;
        lock (_gate)
        {
            _running--;
            _queue.Finished(tenant);
            toStart = Pump(_clock.GetUtcNow());
        }

        StartAll(toStart);
    }

    /// <summary>
    /// A slot for another lane of <paramref name="tenant"/>'s writer, when both caps allow it and no run waits for a slot
    /// (waiting runs come first, fairly); null otherwise, and while stopping.
    /// </summary>
    RunSlot? IRunSlotPool.TryTakeSlotForLane(string tenant)
    {
        lock (_gate)
        {
            if (_stopping || _queue.Count > 0 || _running >= _options.MaxConcurrentJobs || _queue.RunningOf(tenant) >= _options.MaxConcurrentRunsPerTenant)
            {
                return null;
            }

            _running++;
            _queue.Started(tenant);
            return RunSlot.ForLane(this, tenant);
        }
    }

    /// <summary>Rejects every queued run whose deadline has passed, then waits for the next one.</summary>
    private void RejectExpired()
    {
        List<DispatchedRun> expired;
        lock (_gate)
        {
            var now = _clock.GetUtcNow();
            _deadlineArmedFor = null;
            expired = _queue.TakeExpired(now);
            foreach (var run in expired)
            {
                var running = _queue.RunningOf(run.Ticket.Tenant);
                var why = running >= _options.MaxConcurrentRunsPerTenant
                    ? $"tenant '{run.Ticket.Tenant}' held all {_options.MaxConcurrentRunsPerTenant} of its slots (MaxConcurrentRunsPerTenant)"
                    : $"all {_options.MaxConcurrentJobs} slots of silo {SiloName} were busy (MaxConcurrentJobs, its cap of concurrent runs)";
                run.Finish(End(run, RunStatus.Rejected, string.Create(
                    CultureInfo.InvariantCulture,
                    $"rejected: waited {(now - run.QueuedAt!.Value).TotalMilliseconds:0} ms for a slot and could not start within the grace period of {_options.Grace.TotalSeconds:0.###} s; {why}")));
            }

            ArmDeadline(now);
        }

        foreach (var run in expired)
        {
            _ = DeliverAsync(run);
        }
    }

    private void ArmDeadline(DateTimeOffset now)
    {
        var earliest = _queue.EarliestDeadline;
        if (earliest == _deadlineArmedFor)
        {
            return;
        }

        _deadlineArmedFor = earliest;
        if (earliest is { } at && at <= now)
        {
            // Already due: reject from the pool, never from inside this lock (a timer may call back synchronously).
            _deadlineTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            ThreadPool.UnsafeQueueUserWorkItem(_ => RejectExpired(), null);
            return;
        }

        _deadlineTimer.Change(earliest is { } later ? later - now : Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Takes a run that has not started out of its wait (held or queued).</summary>
    private void Unwait(DispatchedRun run)
    {
        if (run.Phase == RunPhase.Queued)
        {
            _queue.Remove(run);
            ArmDeadline(_clock.GetUtcNow());
        }
        else if (run.Ticket.NotBefore is { } instant && _held.TryGetValue(instant, out var list))
        {
            list.Remove(run);
        }
    }

    private void Remove(DispatchedRun run)
    {
        if (_runs.TryGetValue(run.Key, out var current) && ReferenceEquals(current, run))
        {
            _runs.Remove(run.Key);
        }

        run.Cancellation.Dispose();
        run.Done.TrySetResult();
    }

    private RunCompletion End(DispatchedRun run, RunStatus status, string? reason)
    {
        var now = _clock.GetUtcNow();
        return new RunCompletion(run.Ticket.RunId, status, 0, null, reason, now, now, SiloName) { Dispatch = run.Dispatch, Waited = run.Waited };
    }

    /// <summary>
    /// Reports the end to the schedule grain, retrying a few times. A completion that cannot be delivered is parked:
    /// the schedule finds it through <see cref="Find"/> when it next looks at its runs in flight.
    /// </summary>
    private async Task DeliverAsync(DispatchedRun run)
    {
        // Never from the thread that starts the runs of a busy instant: their start must not wait behind bookkeeping.
        await Task.Yield();
        for (var attempt = 0; ; attempt++)
        {
            RunCompletion completion;
            lock (_gate)
            {
                // Read under the lock: a newer dispatch may have adopted the run meanwhile.
                completion = run.Completion! with { Dispatch = run.Dispatch };
            }

            try
            {
                await _grains.GetGrain<IScheduleRuntimeGrain>(run.Ticket.ScheduleKey).CompleteRunAsync(completion);
                lock (_gate)
                {
                    Remove(run);
                }

                return;
            }
            catch (Exception e) when (attempt < DeliveryBackoff.Length && !_stop.IsCancellationRequested)
            {
                LogDeliveryRetry(_logger, e, completion.RunId, attempt + 1);
                await Task.Delay(DeliveryBackoff[attempt], _infrastructureTime);
            }
            catch (Exception e)
            {
                lock (_gate)
                {
                    run.Park();
                    run.Done.TrySetResult();
                }

                LogDeliveryParked(_logger, e, completion.RunId);
                return;
            }
        }
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Debug, Message = "Delivering the completion of run {RunId} failed (attempt {Attempt}); retrying")]
    private static partial void LogDeliveryRetry(ILogger logger, Exception exception, string runId, int attempt);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Could not deliver the completion of run {RunId}; it is parked until its schedule collects it")]
    private static partial void LogDeliveryParked(ILogger logger, Exception exception, string runId);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Debug, Message = "Run {RunId} was cancelled by shutdown; the next activation of its schedule settles it from the ledger")]
    private static partial void LogLeftToLedger(ILogger logger, string runId);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Shutdown drain timed out; cancelling {Count} runs, to be settled from the ledger")]
    private static partial void LogDrainTimedOut(ILogger logger, int count);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "Run {RunId} of {ScheduleKey} was dispatched again while still {Phase} here; the new dispatch adopts it")]
    private static partial void LogAdopted(ILogger logger, string runId, string scheduleKey, RunPhase phase);
}
