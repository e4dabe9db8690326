namespace NodeDb.Orleans.Grains.Sql.Execution;

/// <summary>How an attempt that did not throw ended.</summary>
internal enum AttemptResult
{
    /// <summary>The body and the ledger row committed together.</summary>
    Committed = 0,

    /// <summary>The run id was already in the ledger: an earlier attempt or activation committed it, so nothing ran.</summary>
    AlreadyCommitted = 1,
}
