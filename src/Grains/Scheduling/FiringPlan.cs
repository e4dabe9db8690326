using System.Collections.Immutable;

namespace NodeDb.Orleans.Grains.Scheduling;

/// <summary>What one observation of a schedule decided: runs to start, occurrences to record as missed, the new marker.</summary>
/// <param name="Runs">Runs to start, oldest first.</param>
/// <param name="Missed">Occurrences recorded one row each, oldest first.</param>
/// <param name="MissedBeyondCap">Older missed occurrences past the row cap, as one range.</param>
/// <param name="Marker">The new last-fired marker; null when it does not change (nothing to persist).</param>
public sealed record FiringPlan(
    ImmutableArray<PlannedRun> Runs,
    ImmutableArray<DateTimeOffset> Missed,
    MissedRange? MissedBeyondCap,
    DateTimeOffset? Marker)
{
    public static FiringPlan Nothing { get; } = new([], [], null, null);

    /// <summary>True when the observation changed nothing, so the caller does no I/O.</summary>
    public bool IsEmpty => Marker is null && Runs.IsEmpty && Missed.IsEmpty && MissedBeyondCap is null;

    public int MissedCount => Missed.Length + (MissedBeyondCap?.Count ?? 0);
}
