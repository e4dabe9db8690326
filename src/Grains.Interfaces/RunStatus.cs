namespace NodeDb.Orleans;

/// <summary>The outcome of one occurrence of a schedule. Every occurrence that did not run still gets a row with a reason.</summary>
public enum RunStatus
{
    Succeeded = 0,
    Failed = 1,
    TimedOut = 2,
    Skipped = 3,
    Missed = 4,
    Rejected = 5,
    Interrupted = 6,
    Cancelled = 7,
}
