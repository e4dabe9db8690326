namespace NodeDb.Orleans.Grains.Sql.Execution;

/// <summary>The waits between attempts: exponential, and never past the run's budget.</summary>
internal static class RetryPolicy
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(1);

    /// <summary>The wait after failed attempt <paramref name="attempt"/> (1-based): base, 2×base, 4×base…, capped at a minute.</summary>
    public static TimeSpan Backoff(TimeSpan baseDelay, int attempt)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        var factor = Math.Pow(2, Math.Min(attempt - 1, 30));
        var ticks = Math.Min(baseDelay.Ticks * factor, MaxBackoff.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>
    /// The wait before the next attempt, or null when there is none: no retries left, or the wait would use
    /// up what remains of the budget (an attempt that starts with no time left can only time out).
    /// </summary>
    public static TimeSpan? NextDelay(TimeSpan baseDelay, int failedAttempt, int retries, TimeSpan remaining)
    {
        if (failedAttempt > retries)
        {
            return null;
        }

        var delay = Backoff(baseDelay, failedAttempt);
        return delay < remaining ? delay : null;
    }
}
