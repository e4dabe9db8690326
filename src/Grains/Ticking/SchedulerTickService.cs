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
/// Schedule grains register their own due instant (<see cref="SetDue"/>) on activation and after every poke,
/// so the index only ever holds grains that live here. Each wait is computed from the clock, not accumulated,
/// so the loop neither drifts nor keeps a bad phase.
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
    public TimeSpan? SinceLastTick =>
        Volatile.Read(ref _looping) ? clock.Provider.GetElapsedTime(Interlocked.Read(ref _lastTick)) : null;

    /// <summary>Schedules being poked now: taken out of the index until their tick registers them again.</summary>
    public int PokesInFlight => Volatile.Read(ref _pokesInFlight);

    public void SetDue(string key, DateTimeOffset? due) => index.Set(key, due);

    public void Remove(string key) => index.Remove(key);

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
                // Timers may wake a little before the boundary; a tick taken early would leave the boundary's own
                // occurrences for the next tick, a whole second late. Wait until the clock has really passed it.
                await clock.WaitUntilAsync(next, _stop.Token);
                Interlocked.Exchange(ref _lastTick, clock.Provider.GetTimestamp());

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
        }
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Error, Message = "Scheduler tick failed")]
    private static partial void LogTickFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Poking schedule {Key} failed; retrying next second")]
    private static partial void LogPokeFailed(ILogger logger, Exception exception, string key);
}
