using System.Collections.Immutable;

namespace NodeDb.Orleans.Grains.History;

/// <summary>
/// One spilled chunk of a schedule's history outbox, keyed <c>"{scheduleKey}#{generation}#{chunk}"</c>: rows the schedule
/// could not append to history, moved out of its own state so the state stays small while history is down.
/// </summary>
/// <remarks>Kept in the <see cref="StorageNames.Schedules"/> storage, as durable as the schedule's state. See <see cref="HistoryOutbox"/>.</remarks>
[Alias("nodedb.IOutboxChunkGrain")]
public interface IOutboxChunkGrain : IGrainWithStringKey
{
    /// <summary>Stores the chunk's rows, replacing what it held (idempotent: a spill retried after a crash writes the same chunk).</summary>
    [Alias("Write")]
    Task WriteAsync(ImmutableArray<RunRecord> rows);

    [Alias("Read")]
    Task<ImmutableArray<RunRecord>> ReadAsync();

    /// <summary>Deletes the chunk once its rows are in history (or folded into the schedule's state).</summary>
    [Alias("Clear")]
    Task ClearAsync();
}
