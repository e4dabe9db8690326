namespace NodeDb.Orleans.Grains.Sql.Execution;

/// <summary>
/// The COMMIT was sent but its answer never came (the connection broke): the transaction may or may not have committed.
/// Only the run ledger can tell; the runner asks it before reporting anything.
/// </summary>
internal sealed class CommitOutcomeUnknownException(Exception inner)
    : Exception($"The commit's outcome is unknown: {inner.Message}", inner);
