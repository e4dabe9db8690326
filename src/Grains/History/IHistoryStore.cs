namespace NodeDb.Orleans.Grains.History;

/// <summary>Where history rows live: a table in the profile's store, one row per run id.</summary>
/// <remarks>An append costs the same whatever the size of the table; the store is never one growing blob.</remarks>
public interface IHistoryStore
{
    /// <summary>Inserts or replaces rows by (tenant, run id).</summary>
    Task AppendAsync(string tenant, IReadOnlyList<RunRecord> runs, CancellationToken cancellationToken = default);

    /// <summary>Rows matching the query, newest first (by <see cref="RunRecord.RecordedAt"/>, then scheduled instant).</summary>
    Task<IReadOnlyList<RunRecord>> QueryAsync(string tenant, HistoryQuery query, CancellationToken cancellationToken = default);

    /// <summary>Deletes every row of a schedule; returns how many.</summary>
    Task<int> RemoveScheduleAsync(string tenant, string schedule, CancellationToken cancellationToken = default);

    /// <summary>Keeps at most <paramref name="keepPerSchedule"/> newest rows of the schedule and none recorded before <paramref name="olderThan"/>.</summary>
    Task<int> PruneAsync(string tenant, string schedule, int keepPerSchedule, DateTimeOffset olderThan, CancellationToken cancellationToken = default);
}
