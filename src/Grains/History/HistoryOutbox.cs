using System.Collections.Immutable;
using System.Globalization;
using NodeDb.Orleans.Grains.Schedules;

namespace NodeDb.Orleans.Grains.History;

/// <summary>
/// Flushes a schedule's history outbox, and keeps it bounded while history is down: past <c>cap</c> rows the
/// outbox is spilled to a chunk grain (<see cref="IOutboxChunkGrain"/>), so the schedule's state (rewritten by
/// every claim) never grows past the cap whatever the outage's length.
/// </summary>
/// <remarks>
/// <para>Rows reach history in the order they were written: folded rows, then chunks oldest first, then the outbox.
/// Every append is idempotent by run id, so a crash between an append and the state write that records it only
/// repeats the append.</para>
/// <para>Chunks are bounded too: beyond the chunks that hold the <c>keep</c> rows history keeps per schedule
/// (<see cref="Hosting.SchedulerOptions.HistoryKeepPerSchedule"/>; history would prune anything older right after
/// the append), the oldest chunk is folded into one summary row per status in the schedule's state. A summary row
/// counts every occurrence of the rows it replaced (<see cref="RunRecord.Count"/>, <see cref="RunRecord.CoversFrom"/>
/// to <see cref="RunRecord.ScheduledAt"/>), so history still accounts for each occurrence, with detail only for the
/// newest rows, as the missed-row cap does.</para>
/// </remarks>
public static class HistoryOutbox
{
    /// <summary>Flushes what can be flushed, then spills the outbox if it is over <paramref name="cap"/>.</summary>
    /// <param name="writeState">Persists the schedule's state (the grain's own write, with its conflict handling).</param>
    /// <param name="recorded">Called for every row that reached history.</param>
    /// <returns>The history failure that kept rows back, or null when every row reached history.</returns>
    public static async Task<Exception?> FlushAsync(
        IGrainFactory grains,
        string scheduleKey,
        ScheduleState state,
        int cap,
        int keep,
        Func<Task> writeState,
        Action<RunRecord> recorded)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(writeState);
        ArgumentNullException.ThrowIfNull(recorded);
        var history = grains.GetGrain<IJobHistoryGrain>(state.Definition!.Tenant);
        Exception? failure = null;
        try
        {
            await DrainAsync(grains, scheduleKey, state, history, writeState, recorded);
            if (state.Outbox.Count > 0)
            {
                await AppendOutboxAsync(history, state.Outbox.ToImmutableArray(), () => state, recorded);
            }
        }
        catch (HistoryUnavailableException e)
        {
            // Safe: the rows stay in the outbox, the chunks or the folded rows, all durable. A failed state write
            // is not caught here: the grain's own write handling decides about those.
            failure = e.InnerException;
        }

        if (state.Outbox.Count > cap)
        {
            await SpillAsync(grains, scheduleKey, state, Math.Max(1, (keep + cap - 1) / cap), keep, writeState);
        }

        return failure;
    }

    /// <summary>
    /// Appends rows taken from the outbox and then takes exactly those rows out of the outbox of the state current by
    /// then (by reference: rows added meanwhile stay; a state replaced meanwhile, by a drop or a create, keeps its own).
    /// The caller's state write that follows persists the removal; a crash before it only repeats an idempotent append.
    /// </summary>
    /// <returns>The history failure that kept the rows back, or null when they reached history.</returns>
    public static async Task<Exception?> TryAppendOutboxAsync(
        IGrainFactory grains, ImmutableArray<RunRecord> rows, Func<ScheduleState> current, Action<RunRecord> recorded)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(recorded);
        if (rows.IsDefaultOrEmpty)
        {
            return null;
        }

        try
        {
            await AppendOutboxAsync(grains.GetGrain<IJobHistoryGrain>(rows[0].Tenant), rows, current, recorded);
            return null;
        }
        catch (HistoryUnavailableException e)
        {
            return e.InnerException;
        }
    }

    private static async Task AppendOutboxAsync(IJobHistoryGrain history, ImmutableArray<RunRecord> rows, Func<ScheduleState> current, Action<RunRecord> recorded)
    {
        await AppendAsync(history, rows);
        var sent = new HashSet<RunRecord>(rows, ReferenceEqualityComparer.Instance);
        current().Outbox.RemoveAll(sent.Contains);
        foreach (var row in rows)
        {
            recorded(row);
        }
    }

    private static async Task DrainAsync(
        IGrainFactory grains, string scheduleKey, ScheduleState state, IJobHistoryGrain history, Func<Task> writeState, Action<RunRecord> recorded)
    {
        if (state.Spill is not { } spill)
        {
            return;
        }

        if (spill.Folded.Count > 0)
        {
            var folded = spill.Folded.ToImmutableArray();
            await AppendAsync(history, folded);
            spill.Folded = [];
            await writeState();
            foreach (var row in folded)
            {
                recorded(row);
            }
        }

        while (spill.First < spill.Next)
        {
            var chunk = Chunk(grains, scheduleKey, state.Generation, spill.First);
            var rows = await chunk.ReadAsync();
            await AppendAsync(history, rows);
            spill.First++;
            await writeState();
            foreach (var row in rows)
            {
                recorded(row);
            }

            await ClearQuietlyAsync(chunk);
        }

        state.Spill = null;
    }

    private static async Task SpillAsync(IGrainFactory grains, string scheduleKey, ScheduleState state, long maxChunks, int keep, Func<Task> writeState)
    {
        var spill = state.Spill ??= new OutboxSpill();

        // The chunk first, then the state that points at it: a crash in between leaves the rows in the outbox and
        // the next spill writes the same chunk again.
        await Chunk(grains, scheduleKey, state.Generation, spill.Next).WriteAsync([.. state.Outbox]);
        spill.Next++;
        state.Outbox.Clear();
        var dropped = new List<IOutboxChunkGrain>();
        while (spill.Next - spill.First > maxChunks)
        {
            var chunk = Chunk(grains, scheduleKey, state.Generation, spill.First);
            Fold(spill, scheduleKey, await chunk.ReadAsync(), keep);
            spill.First++;
            dropped.Add(chunk);
        }

        await writeState();

        // Only once the state no longer points at them (and holds their fold).
        foreach (var chunk in dropped)
        {
            await ClearQuietlyAsync(chunk);
        }
    }

    /// <summary>Adds rows to the per-status summary rows, each keeping the count and range of the occurrences it stands for.</summary>
    private static void Fold(OutboxSpill spill, string scheduleKey, ImmutableArray<RunRecord> rows, int keep)
    {
        foreach (var row in rows)
        {
            var from = row.CoversFrom ?? row.ScheduledAt;
            var index = spill.Folded.FindIndex(f => f.Status == row.Status);
            if (index < 0)
            {
                spill.Folded.Add(row with
                {
                    RunId = string.Create(CultureInfo.InvariantCulture, $"{scheduleKey}.folded.{spill.First}.{row.Status.ToString().ToLowerInvariant()}"),
                    CoversFrom = from,
                    StartedAt = null,
                    FinishedAt = null,
                    Error = null,
                    Attempt = 0,
                    Reason = $"folded: {row.Status} rows written while history was unavailable, beyond the {keep} newest rows history keeps per schedule; the row counts every occurrence they stood for",
                });
                continue;
            }

            var folded = spill.Folded[index];
            spill.Folded[index] = folded with
            {
                Count = folded.Count + row.Count,
                CoversFrom = Min(folded.CoversFrom, from),
                ScheduledAt = Max(folded.ScheduledAt, row.ScheduledAt),
                RecordedAt = folded.RecordedAt > row.RecordedAt ? folded.RecordedAt : row.RecordedAt,
            };
        }
    }

    private static DateTimeOffset? Min(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;

    private static DateTimeOffset? Max(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;

    private static IOutboxChunkGrain Chunk(IGrainFactory grains, string scheduleKey, long generation, long chunk) =>
        grains.GetGrain<IOutboxChunkGrain>(string.Create(CultureInfo.InvariantCulture, $"{scheduleKey}#{generation}#{chunk}"));

    private static async Task AppendAsync(IJobHistoryGrain history, ImmutableArray<RunRecord> rows)
    {
        try
        {
            await history.AppendAsync(rows);
        }
        catch (Exception e)
        {
            throw new HistoryUnavailableException(e);
        }
    }

    private static async Task ClearQuietlyAsync(IOutboxChunkGrain chunk)
    {
        try
        {
            await chunk.ClearAsync();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Safe: nothing points at the chunk any more; a failed clear only leaves an orphaned record in storage.
        }
    }

    /// <summary>Marks a failed append, so a failed state write is never mistaken for history being down.</summary>
    private sealed class HistoryUnavailableException(Exception inner) : Exception(inner.Message, inner);
}
