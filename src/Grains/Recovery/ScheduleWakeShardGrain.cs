using System.Collections.Immutable;
using Orleans.Concurrency;
using Orleans.Storage;

namespace NodeDb.Orleans.Grains.Recovery;

/// <summary>A shard of the wake registry. See <see cref="IScheduleWakeShardGrain"/>.</summary>
/// <remarks>
/// It only hands out keys: the poking happens in the caller (<see cref="FailoverWatcher"/>), outside any grain turn.
/// Poking from here would hold this turn while a schedule that is busy calling <see cref="AddAsync"/> (its create or
/// enable) waits for it, and the two would wait on each other until the call timeout.
/// </remarks>
public sealed class ScheduleWakeShardGrain(
    [PersistentState("wake", StorageNames.Schedules)] IPersistentState<WakeShardState> state) : Grain, IScheduleWakeShardGrain
{
    /// <summary>How many handled causes a shard remembers; an older one coming back only costs a redundant wake.</summary>
    internal const int HandledMemory = 256;

    public async Task AddAsync(string scheduleKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(scheduleKey);
        if (state.State.Keys.Add(scheduleKey))
        {
            await state.WriteStateAsync();
        }
    }

    public async Task RemoveAsync(string scheduleKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(scheduleKey);
        if (state.State.Keys.Remove(scheduleKey))
        {
            await state.WriteStateAsync();
        }
    }

    public async Task<ImmutableArray<string>> ClaimWakeAsync(string cause, string claimer)
    {
        ArgumentException.ThrowIfNullOrEmpty(cause);
        ArgumentException.ThrowIfNullOrEmpty(claimer);
        var handled = state.State.HandledCauses;
        var index = handled.IndexOf(cause);
        if (index >= 0)
        {
            // The same claimer asking again (its first answer was lost, or it retried after a timeout whose write had
            // in fact succeeded) gets the keys again: a claim that nobody pokes would wait for the hourly reminder.
            return state.State.Claimers.TryGetValue(cause, out var owner) && owner == claimer ? Keys() : [];
        }

        // Marked handled only once the write succeeds: a failed write leaves the cause unclaimed for the retry
        // (this claimer's, or another survivor's), instead of a memory that says "done" with nobody poking.
        var before = new List<string>(handled);
        var claimersBefore = new Dictionary<string, string>(state.State.Claimers, StringComparer.Ordinal);
        handled.Add(cause);
        state.State.Claimers[cause] = claimer;
        if (handled.Count > HandledMemory)
        {
            foreach (var forgotten in handled.Take(handled.Count - HandledMemory))
            {
                state.State.Claimers.Remove(forgotten);
            }

            handled.RemoveRange(0, handled.Count - HandledMemory);
        }

        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception e)
        {
            state.State.HandledCauses = before;
            state.State.Claimers = claimersBefore;
            if (e is InconsistentStateException)
            {
                // Another activation wrote this shard: read it afresh on the next call.
                DeactivateOnIdle();
            }

            throw;
        }

        return Keys();
    }

    private ImmutableArray<string> Keys() => [.. state.State.Keys.Order(StringComparer.Ordinal)];

    [ReadOnly]
    public Task<ImmutableArray<string>> ListAsync() => Task.FromResult(Keys());
}
