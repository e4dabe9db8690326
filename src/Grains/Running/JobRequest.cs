namespace NodeDb.Orleans.Grains.Running;

/// <summary>One run of a schedule's body, as handed to an <see cref="IJobRunner"/>.</summary>
public sealed record JobRequest
{
    public required string Tenant { get; init; }

    public required string Schedule { get; init; }

    /// <summary>Unique per run; the runner writes it to the tenant's run ledger in the body's transaction.</summary>
    public required string RunId { get; init; }

    public required string Body { get; init; }

    /// <summary>The user the run acts for.</summary>
    public required string Owner { get; init; }

    /// <summary>The budget of the whole run, all attempts and backoff included.</summary>
    public required TimeSpan Timeout { get; init; }

    /// <summary>Retries after the first attempt, for errors that can succeed later.</summary>
    public int Retries { get; init; } = 1;

    public DateTimeOffset? ScheduledAt { get; init; }

    public RunTrigger Trigger { get; init; } = RunTrigger.Cron;

    /// <summary>
    /// The cap's slot this run holds on its silo, for a runner that queues runs for a shared writer to pass on
    /// (<see cref="RunSlot"/>); null outside the dispatcher (a direct call of the runner).
    /// </summary>
    public RunSlot? Slot { get; init; }
}
