using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodeDb.Orleans.Grains.Diagnostics;
using NodeDb.Orleans.Grains.Hosting;
using NodeDb.Orleans.Grains.Running;
using NodeDb.Orleans.Grains.Schedules;

namespace NodeDb.Orleans.Grains.Ticking;

/// <summary>
/// Ticks once a second, on the whole second, and pokes only the schedule grains active on this silo whose due
/// instant has come. A tick does no storage I/O; an idle schedule costs nothing.
/// </summary>
/// <remarks>
/// <para>Schedule grains register their own due instant (<see cref="SetDue"/>) on activation and after every poke,
/// so the index only ever holds grains that live here. Each wait is computed from the clock, not accumulated,
/// so the loop neither drifts nor keeps a bad phase.</para>
/// <para>With nothing due soon the loop parks until the whole second that takes the earliest due instant (at most
/// <see cref="MaxPark"/>), instead of waking twice a second for nothing: an idle silo costs next to no CPU. A due instant
/// registered before the parked boundary wakes it at once, so parking never delays an occurrence.</para>
/// </remarks>
public sealed partial class SchedulerTickService(
    DueIndex index,
    IGrainFactory grains,
    SchedulerClock clock,
    JobDispatcher dispatcher,
    SchedulerInstruments instruments,
    IOptions<SchedulerOptions> options,
    ILogger<SchedulerTickService> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ArmingPhase = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest the loop parks without looking again (a safety net against a step of the system clock).</summary>
    public static readonly TimeSpan MaxPark = TimeSpan.FromSeconds(30);

    private const long NotParked = long.MinValue;
    private readonly SemaphoreSlim _earlier = new(0, 1);

    // The whole second (UTC ticks) the parked loop waits for, or NotParked while it ticks every second.
    private long _parkedUntil = NotParked;
    private long _wakes;
    private readonly CancellationTokenSource _stop = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Task, byte> _ticks = new();
    private Task _loop = Task.CompletedTask;
    private bool _looping;
    private long _lastTick;
    private int _pokesInFlight;

    /// <summary>Schedules active on this silo with a due instant.</summary>
    public int Count => index.Count;

    /// <summary>
    /// How long ago (scheduler clock) the tick loop last woke, or null when no loop runs (<see cref="SchedulerOptions.AutoTick"/>
    /// off, or stopped). Readiness uses it: a silo whose loop is stuck fires nothing.
    /// </summary>
    /// <remarks>While the loop is parked until a later second (nothing due), it counts as on time until that second has passed.</remarks>
    public TimeSpan? SinceLastTick
    {
        get
        {
            if (!Volatile.Read(ref _looping))
            {
                return null;
            }

            var parked = Interlocked.Read(ref _parkedUntil);
            if (parked != NotParked)
            {
                var overdue = clock.GetUtcNow().UtcTicks - parked;
                return overdue > 0 ? TimeSpan.FromTicks(overdue) : TimeSpan.Zero;
            }

            return clock.Provider.GetElapsedTime(Interlocked.Read(ref _lastTick));
        }
    }

    /// <summary>The whole second the loop is parked until, or null while it ticks every second (or does not run).</summary>
    public DateTimeOffset? ParkedUntil => Interlocked.Read(ref _parkedUntil) is var parked and not NotParked ? new DateTimeOffset(parked, TimeSpan.Zero) : null;

    /// <summary>Raised when the loop parks, with the whole second it waits for (tests and diagnostics).</summary>
    internal event Action<DateTimeOffset>? Parked;

    /// <summary>Raised after a tick step took its due entries out of the index, with how many (tests and diagnostics).</summary>
    internal event Action<int>? Took;

    /// <summary>How many times the loop woke (a boundary, or an earlier due instant while parked); for tests and diagnostics.</summary>
    public long Wakes => Interlocked.Read(ref _wakes);

    /// <summary>Schedules being poked now: taken out of the index until their tick registers them again.</summary>
    public int PokesInFlight => Volatile.Read(ref _pokesInFlight);

    public void SetDue(string key, DateTimeOffset? due)
    {
        index.Set(key, due);
        if (due is { } at)
        {
            WakeIfEarlier(at);
        }
    }

    public void Remove(string key) => index.Remove(key);

    /// <summary>
    /// Pokes a schedule again shortly (<see cref="RetryAfterFailure"/>) even though it has no entry here: its activation
    /// went for a reason that leaves nothing else to wake it (see <c>ScheduleGrain.OnDeactivateAsync</c>).
    /// </summary>
    public void PokeSoon(string key)
    {
        var at = clock.GetUtcNow() + RetryAfterFailure;
        index.SetRetry(key, at);
        WakeIfEarlier(at);
    }

    /// <summary>
    /// One tick: pokes every grain due at the scheduler clock's now, or within <see cref="SchedulerOptions.ArmAhead"/>
    /// (those claim their occurrence now and the dispatcher starts it on time), and waits for their answers.
    /// </summary>
    /// <returns>How many grains were poked.</returns>
    public Task<int> TickOnceAsync() => PokeDueAsync(options.Value.ArmAhead);

    private async Task<int> PokeDueAsync(TimeSpan lead)
    {
        var now = clock.GetUtcNow();
        var due = index.TakeDue(now + lead);
        Took?.Invoke(due.Count);
        if (due.Count == 0)
        {
            return 0;
        }

        instruments.Poked(due.Count);
        Interlocked.Add(ref _pokesInFlight, due.Count);
        try
        {
            await Task.WhenAll(due.Select(key => PokeAsync(key, now)));
        }
        finally
        {
            Interlocked.Add(ref _pokesInFlight, -due.Count);
        }

        return due.Count;
    }

    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(nameof(SchedulerTickService), ServiceLifecycleStage.Active, StartAsync, StopAsync);
    }

    private Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.AutoTick)
        {
            Interlocked.Exchange(ref _lastTick, clock.Provider.GetTimestamp());
            Volatile.Write(ref _looping, true);
            _loop = Task.Run(RunLoopAsync, CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await StopTickingAsync();
        await dispatcher.StopAsync(cancellationToken);
    }

    /// <summary>Ends the tick loop (silo shutdown; tests of readiness). Nothing fires on this silo afterwards.</summary>
    internal async Task StopTickingAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        Volatile.Write(ref _looping, false);
    }

    private async Task RunLoopAsync()
    {
        var next = NextWholeSecond(clock.GetUtcNow());
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                if (!await ParkAsync(next))
                {
                    // An earlier due instant arrived while parked: plan again from the coming second.
                    next = NextWholeSecond(clock.GetUtcNow());
                    continue;
                }

                // Timers may wake a little before the boundary; a tick taken early would leave the boundary's own
                // occurrences for the next tick, a whole second late. Wait until the clock has really passed it.
                await clock.WaitUntilAsync(next, _stop.Token);
                Interlocked.Exchange(ref _lastTick, clock.Provider.GetTimestamp());
                Interlocked.Increment(ref _wakes);

                // The loop does not wait for the pokes: a slow tick (a burst, a slow store) must not push the next
                // second's schedules a whole second late. Pokes of consecutive ticks never overlap on one schedule,
                // because a tick takes what it pokes out of the index.
                Track(PokeDueAsync(TimeSpan.Zero));
                if (options.Value.ArmAhead > TimeSpan.Zero)
                {
                    // Arming waits for the middle of the second: the whole second belongs to the runs armed for it,
                    // which the dispatcher starts then, and to whatever is due at that very instant.
                    await clock.WaitUntilAsync(next + ArmingPhase, _stop.Token);
                    Track(PokeDueAsync(options.Value.ArmAhead));
                }

                var now = clock.GetUtcNow();
                next = next + TimeSpan.FromSeconds(1) > now ? next + TimeSpan.FromSeconds(1) : NextWholeSecond(now);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                break;
            }
        }

        await Task.WhenAll(_ticks.Keys);
    }

    /// <summary>
    /// Waits, when nothing is due before it, for the whole second that takes the earliest due instant (at most
    /// <see cref="MaxPark"/> away), then moves <paramref name="next"/> there. Returns false when an earlier due instant
    /// was registered meanwhile; true when the loop may tick at <paramref name="next"/>.
    /// </summary>
    private async Task<bool> ParkAsync(DateTimeOffset next)
    {
        var boundary = ParkBoundary(next);
        if (boundary <= next)
        {
            return true;
        }

        _earlier.Wait(0); // a stale signal from before this plan
        Interlocked.Exchange(ref _parkedUntil, boundary.UtcTicks);
        try
        {
            // Registered between planning and publishing the plan: that registration saw no parked loop to wake.
            if (ParkBoundary(next) < boundary)
            {
                return false;
            }

            Parked?.Invoke(boundary);
            using var woken = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            var signalled = _earlier.WaitAsync(woken.Token);
            var due = clock.WaitUntilAsync(boundary, woken.Token);
            var first = await Task.WhenAny(signalled, due);
            await woken.CancelAsync();
            await Task.WhenAll(signalled, due).ContinueWith(static _ => { }, TaskScheduler.Default);
            _stop.Token.ThrowIfCancellationRequested();
            Interlocked.Increment(ref _wakes);
            return first == due && due.IsCompletedSuccessfully && !signalled.IsCompletedSuccessfully;
        }
        finally
        {
            // In this order, so readiness never reads the time before the park as the last tick.
            Interlocked.Exchange(ref _lastTick, clock.Provider.GetTimestamp());
            Interlocked.Exchange(ref _parkedUntil, NotParked);
        }
    }

    /// <summary>The whole second the loop may sleep until: <paramref name="next"/> when something is due by then.</summary>
    private DateTimeOffset ParkBoundary(DateTimeOffset next)
    {
        var limit = NextWholeSecond(clock.GetUtcNow() + MaxPark) - TimeSpan.FromSeconds(1);
        if (index.Earliest() is not { } earliest)
        {
            return limit > next ? limit : next;
        }

        var boundary = TakenAt(earliest);
        boundary = boundary < limit ? boundary : limit;
        return boundary > next ? boundary : next;
    }

    /// <summary>
    /// A whole second no later than the first tick that takes an entry due at <paramref name="due"/> (arming reaches
    /// ahead by <see cref="SchedulerOptions.ArmAhead"/> from the middle of the second); at worst one tick early.
    /// </summary>
    private DateTimeOffset TakenAt(DateTimeOffset due)
    {
        var reach = options.Value.ArmAhead > TimeSpan.Zero ? options.Value.ArmAhead + ArmingPhase : TimeSpan.Zero;
        var at = due - reach;
        return new DateTimeOffset(at.UtcTicks - (at.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
    }

    private void WakeIfEarlier(DateTimeOffset due)
    {
        var parked = Interlocked.Read(ref _parkedUntil);
        if (parked != NotParked && TakenAt(due).UtcTicks < parked && _earlier.CurrentCount == 0)
        {
            try
            {
                _earlier.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another registration woke it already.
            }
        }
    }

    private static DateTimeOffset NextWholeSecond(DateTimeOffset now) =>
        new(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerSecond) + TimeSpan.TicksPerSecond, TimeSpan.Zero);

    private void Track(Task tick)
    {
        _ticks[tick] = 0;
        tick.ContinueWith(
            t =>
            {
                _ticks.TryRemove(t, out _);
                if (t.Exception is { } e)
                {
                    // A failed tick must not end the loop: the next second retries whatever is still due.
                    LogTickFailed(logger, e);
                }
            },
            TaskScheduler.Default);
    }

    private async Task PokeAsync(string key, DateTimeOffset now)
    {
        try
        {
            await grains.GetGrain<IScheduleRuntimeGrain>(key).TickAsync();
        }
        catch (Exception e)
        {
            // The grain re-registers itself on its next activation; until then, poke it again next second (a poke
            // re-activates it, wherever it lands). A retry, not an entry: the failed activation deactivating removes
            // its entry, and must not remove this with it.
            LogPokeFailed(logger, e, key);
            index.SetRetry(key, now + RetryAfterFailure);
            WakeIfEarlier(now + RetryAfterFailure);
        }
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Error, Message = "Scheduler tick failed")]
    private static partial void LogTickFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Poking schedule {Key} failed; retrying next second")]
    private static partial void LogPokeFailed(ILogger logger, Exception exception, string key);
}
