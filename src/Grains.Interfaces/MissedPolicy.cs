namespace NodeDb.Orleans;

/// <summary>What happens to occurrences that became due while nothing was firing (older than the current unit plus grace).</summary>
public enum MissedPolicy
{
    /// <summary>Run only the current occurrence; record each older one as <see cref="RunStatus.Missed"/>.</summary>
    Skip = 0,

    /// <summary>One run now that covers every missed occurrence; the run knows the covered range.</summary>
    CatchUp = 1,

    /// <summary>One run per missed occurrence, in order, up to a cap; the rest are recorded as missed.</summary>
    Queue = 2,
}
