namespace NodeDb.Orleans.Grains.Running;

/// <summary>How a run ended. Expected outcomes are values, never exceptions.</summary>
/// <param name="Status">Succeeded, Failed, TimedOut or Cancelled.</param>
/// <param name="Attempt">The attempt that produced the outcome, 1 for the first.</param>
/// <param name="Error">The error of that attempt (for example the text of <c>RAISE EXCEPTION</c>).</param>
/// <param name="Reason">Extra context for history, such as <c>recovered: committed before the silo stopped</c>.</param>
public sealed record JobOutcome(RunStatus Status, int Attempt, string? Error = null, string? Reason = null)
{
    /// <summary>
    /// When the body began executing in the database (after waiting for the tenant's writer, for example); null when the
    /// runner cannot tell, and then the dispatcher's start counts.
    /// </summary>
    public DateTimeOffset? BodyStartedAt { get; init; }

    public static JobOutcome Succeeded(int attempt) => new(RunStatus.Succeeded, attempt);
}
