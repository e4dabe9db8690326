namespace NodeDb.Orleans.Benchmarks.Scenarios;

/// <summary>Wall-clock waits of the benchmark (real time on purpose: it measures a real scheduler).</summary>
public static class Waits
{
    /// <summary>The first whole second at least <paramref name="lead"/> from now.</summary>
    public static DateTimeOffset WholeSecondAfter(TimeSpan lead)
    {
        var at = DateTimeOffset.UtcNow + lead;
        var ticks = at.UtcTicks - (at.UtcTicks % TimeSpan.TicksPerSecond) + TimeSpan.TicksPerSecond;
        return new DateTimeOffset(ticks, TimeSpan.Zero);
    }

    public static Task UntilAsync(DateTimeOffset instant)
    {
        var wait = instant - DateTimeOffset.UtcNow;
        return wait > TimeSpan.Zero ? Task.Delay(wait) : Task.CompletedTask;
    }

    /// <summary>Waits until <paramref name="done"/> holds or the deadline passes; the benchmark polls, it is not product code.</summary>
    public static async Task UntilAsync(Func<bool> done, DateTimeOffset deadline)
    {
        while (!done() && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
    }
}
