namespace NodeDb.Orleans.Grains.Hosting;

/// <summary>
/// The clock of scheduling decisions, kept apart from the <see cref="TimeProvider"/> Orleans itself resolves,
/// so tests can move schedule time with a fake clock while the silo's own timers stay on real time.
/// </summary>
public sealed class SchedulerClock(TimeProvider provider)
{
    public TimeProvider Provider { get; } = provider;

    public DateTimeOffset GetUtcNow() => Provider.GetUtcNow();

    /// <summary>
    /// Completes once the clock has reached <paramref name="instant"/>. Timers may wake a little early, so it waits
    /// again until the clock really says so: work taken early would miss what is due at the instant itself.
    /// </summary>
    public async Task WaitUntilAsync(DateTimeOffset instant, CancellationToken cancellationToken = default)
    {
        TimeSpan wait;
        while ((wait = instant - GetUtcNow()) > TimeSpan.Zero)
        {
            await Task.Delay(wait, Provider, cancellationToken);
        }
    }
}
