using System.Collections.Immutable;
using Orleans.Concurrency;

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

    public async Task<ImmutableArray<string>> ClaimWakeAsync(string cause)
    {
        ArgumentException.ThrowIfNullOrEmpty(cause);
        var handled = state.State.HandledCauses;
        if (handled.Contains(cause, StringComparer.Ordinal))
        {
            return [];
        }

        handled.Add(cause);
        if (handled.Count > HandledMemory)
        {
            handled.RemoveRange(0, handled.Count - HandledMemory);
        }

        await state.WriteStateAsync();
        return [.. state.State.Keys.Order(StringComparer.Ordinal)];
    }

    [ReadOnly]
    public Task<ImmutableArray<string>> ListAsync() => Task.FromResult<ImmutableArray<string>>([.. state.State.Keys.Order(StringComparer.Ordinal)]);
}
