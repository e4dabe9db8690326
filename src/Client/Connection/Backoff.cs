namespace NodeDb.Orleans.Client.Connection;

/// <summary>Retries an operation on transient errors with exponential backoff, within a total time budget.</summary>
public sealed class Backoff(TimeProvider time, TimeSpan budget)
{
    private static readonly TimeSpan First = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan Longest = TimeSpan.FromSeconds(3);

    /// <summary>Runs <paramref name="operation"/> until it succeeds, fails with a non-transient error, or the budget is spent.</summary>
    /// <exception cref="UnreachableException">The budget ran out on transient errors.</exception>
    public async Task<T> RunAsync<T>(Func<Task<T>> operation, Func<Exception, bool> isTransient, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + budget;
        var delay = First;
        var attempts = 0;
        while (true)
        {
            attempts++;
            try
            {
                return await operation();
            }
            catch (Exception e) when (isTransient(e))
            {
                var left = deadline - time.GetUtcNow();
                if (left <= TimeSpan.Zero)
                {
                    throw new UnreachableException(Describe(e, attempts), e);
                }

                await Task.Delay(delay < left ? delay : left, time, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, Longest.Ticks));
            }
        }
    }

    private string Describe(Exception e, int attempts) =>
        string.Create(
            System.Globalization.CultureInfo.InvariantCulture,
            $"the cluster did not take the call ({attempts} attempt(s) over {budget.TotalSeconds:0.#} s, see --retry-for); last error: {Innermost(e).Message}");

    private static Exception Innermost(Exception e) => e.InnerException is { } inner ? Innermost(inner) : e;
}
