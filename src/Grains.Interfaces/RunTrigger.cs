namespace NodeDb.Orleans;

/// <summary>Why a run was started.</summary>
public enum RunTrigger
{
    /// <summary>A cron occurrence, on time (within the grace period).</summary>
    Cron = 0,

    /// <summary>One run covering a range of missed occurrences (<see cref="MissedPolicy.CatchUp"/>).</summary>
    CatchUp = 1,

    /// <summary>A missed occurrence replayed in order (<see cref="MissedPolicy.Queue"/>).</summary>
    Queue = 2,

    /// <summary>Started by a user with <c>trigger</c>.</summary>
    Manual = 3,

    /// <summary>A past occurrence replayed by <c>backfill</c>.</summary>
    Backfill = 4,
}
