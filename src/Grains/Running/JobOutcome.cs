namespace NodeDb.Orleans.Grains.Running;

/// <summary>How a run ended. Expected outcomes are values, never exceptions.</summary>
/// <param name="Status">Succeeded, Failed, TimedOut or Cancelled.</param>
/// <param name="Attempt">The attempt that produced the outcome, 1 for the first.</param>
/// <param name="Error">The error of that attempt (for example the text of <c>RAISE EXCEPTION</c>).</param>
/// <param name="Reason">Extra context for history, such as <c>recovered: committed before the silo stopped</c>.</param>
public sealed record JobOutcome(RunStatus Status, int Attempt, string? Error = null, string? Reason = null)
{
    /// <summary>
    /// How long the first attempt waited inside the runner before its body began (for the tenant's writer, for example);
    /// the run's start is the dispatcher's start plus this. Null when the runner does not queue.
    /// </summary>
    public TimeSpan? StartDelay { get; init; }

    /// <summary>
    /// The runner cannot tell whether the run committed (the commit's answer was lost, or the attempt outlived its budget
    /// and may still commit) and the ledger could not tell either. The dispatcher then reports nothing: the run stays in
    /// flight in its schedule's state and is settled from the ledger once the ledger can tell.
    /// </summary>
    public bool Uncertain { get; init; }

    public static JobOutcome Succeeded(int attempt) => new(RunStatus.Succeeded, attempt);
}
