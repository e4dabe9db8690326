using System.Collections.Immutable;

namespace NodeDb.Orleans;

/// <summary>The run history of one tenant, keyed by tenant. Rows live in the profile's store, not in grain state.</summary>
[Alias("nodedb.IJobHistoryGrain")]
public interface IJobHistoryGrain : IGrainWithStringKey
{
    /// <summary>Appends rows; idempotent by run id (a second append of the same id replaces the row).</summary>
    /// <remarks>Interleaves with other calls, so concurrent appends are written together; each returns once its rows are stored.</remarks>
    [Alias("Append"), global::Orleans.Concurrency.AlwaysInterleave]
    Task AppendAsync(ImmutableArray<RunRecord> runs);

    /// <summary>Rows matching the query, newest first.</summary>
    [Alias("Query")]
    Task<ImmutableArray<RunRecord>> QueryAsync(HistoryQuery query);

    /// <summary>Deletes every row of a schedule. Returns how many were removed.</summary>
    [Alias("RemoveSchedule")]
    Task<int> RemoveScheduleAsync(string schedule);
}
