namespace NodeDb.Orleans.Grains.Running;

/// <summary>Runs schedule bodies against tenant databases. The scheduler's only seam towards SQL.</summary>
public interface IJobRunner
{
    /// <summary>Runs the body in one transaction, with the request's timeout and retries.</summary>
    /// <remarks>
    /// Cancelling <paramref name="cancellationToken"/> (overlap CANCEL_PREVIOUS, silo shutdown) rolls the
    /// transaction back and yields <see cref="RunStatus.Cancelled"/>; the request's own timeout yields
    /// <see cref="RunStatus.TimedOut"/>. Never throws for an outcome of the body.
    /// </remarks>
    Task<JobOutcome> RunAsync(JobRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Settles a run that was in flight when its silo died: true when its id is in the tenant's ledger
    /// (it committed), false when it is not (it had no effect), null when the database cannot tell now.
    /// </summary>
    Task<bool?> WasCommittedAsync(string tenant, string runId, CancellationToken cancellationToken);

    /// <summary>Checks a body at CREATE time (syntax, body guard, dialect).</summary>
    /// <exception cref="NodeDbException">With code <c>body_rejected</c> and a message that says what to change.</exception>
    void ValidateBody(string tenant, string body);

    /// <summary>
    /// A schedule of <paramref name="tenant"/> now lives on this silo: open what its first run here would otherwise open
    /// on its way (a connection pool and what the driver loads with its first connection), in the background. Never throws.
    /// </summary>
    void Prepare(string tenant)
    {
    }
}
