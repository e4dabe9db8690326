namespace NodeDb.Orleans.Grains.Hosting;

/// <summary>
/// The clock of scheduling decisions, kept apart from the <see cref="TimeProvider"/> Orleans itself resolves,
/// so tests can move schedule time with a fake clock while the silo's own timers stay on real time.
/// </summary>
public sealed class SchedulerClock(TimeProvider provider)
{
    public TimeProvider Provider { get; } = provider;

    public DateTimeOffset GetUtcNow() => Provider.GetUtcNow();
}
