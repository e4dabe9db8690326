namespace NodeDb.Orleans.Grains.Sql.Execution;

/// <summary>The points of a run where a silo can die with a different effect on the tenant's database.</summary>
public enum RunSeam
{
    /// <summary>The body and the ledger row are written but not committed: a crash here leaves no effect.</summary>
    AfterBodyBeforeCommit = 0,

    /// <summary>The transaction committed; the history row is not written yet: a crash here leaves the effect and the ledger row.</summary>
    AfterCommit = 1,

    /// <summary>An attempt failed with a retryable error and rolled back; the next attempt has not started.</summary>
    BetweenAttempts = 2,
}
