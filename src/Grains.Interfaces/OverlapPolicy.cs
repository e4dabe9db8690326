namespace NodeDb.Orleans;

/// <summary>What an occurrence does when the previous run of the same schedule is still in flight.</summary>
public enum OverlapPolicy
{
    /// <summary>Run alongside the previous run (NodeDB's default, <c>ALLOW_OVERLAP = true</c>).</summary>
    Allow = 0,

    /// <summary>Do not run; record the occurrence as <see cref="RunStatus.Skipped"/> (<c>ALLOW_OVERLAP = false</c>).</summary>
    Skip = 1,

    /// <summary>Keep at most one occurrence waiting and run it when the current run ends; further ones are skipped.</summary>
    BufferOne = 2,

    /// <summary>Cancel the run in flight (recorded as <see cref="RunStatus.Cancelled"/>) and start the new one.</summary>
    CancelPrevious = 3,
}
