using System.Collections.Immutable;
using Orleans.Concurrency;
using NodeDb.Orleans.Grains.Storage;

namespace NodeDb.Orleans.Grains.Recovery;

/// <summary>A shard of the wake registry. See <see cref="IScheduleWakeShardGrain"/>.</summary>
/// <remarks>
/// It only hands out keys: the poking happens in the caller (<see cref="FailoverWatcher"/>), outside any grain turn.
/// Poking from here would hold this turn while a schedule that is busy calling <see cref="AddAsync"/> (its create or
/// enable) waits for it, and the two would wait on each other until the call timeout.
/// Reentrant, with every change batched (<see cref="GrainWriteBatch"/>): the adds of a bulk create share writes.
/// </remarks>
[Reentrant]
public sealed class ScheduleWakeShardGrain : Grain, IScheduleWakeShardGrain
{
    /// <summary>How many handled causes a shard remembers; an older one coming back only costs a redundant wake.</summary>
    internal const int HandledMemory = 256;

    private readonly IPersistentState<WakeShardState> _state;

    // Every change of the state goes through this one batch, so concurrent adds (a bulk create) share writes and no two
    // writes of the shard ever overlap; a caller is answered once the write holding its change succeeded.
    private readonly GrainWriteBatch _writes;

    public ScheduleWakeShardGrain([PersistentState("wake", StorageNames.Schedules)] IPersistentState<WakeShardState> state)
    {
        _state = state;
        _writes = new GrainWriteBatch(state.WriteStateAsync, DeactivateOnIdle);
    }

    public Task AddAsync(string scheduleKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(scheduleKey);
        return _writes.RunAsync(() => _state.State.Keys.Add(scheduleKey) ? () => _state.State.Keys.Remove(scheduleKey) : null);
    }

    public Task RemoveAsync(string scheduleKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(scheduleKey);
        return _writes.RunAsync(() => _state.State.Keys.Remove(scheduleKey) ? () => _state.State.Keys.Add(scheduleKey) : null);
    }

    public async Task<ImmutableArray<string>> ClaimWakeAsync(string cause, string claimer)
    {
        ArgumentException.ThrowIfNullOrEmpty(cause);
        ArgumentException.ThrowIfNullOrEmpty(claimer);
        var won = false;
        await _writes.RunAsync(() =>
        {
            var handled = _state.State.HandledCauses;
            if (handled.Contains(cause))
            {
                // The same claimer asking again (its first answer was lost, or it retried after a timeout whose write had
                // in fact succeeded) gets the keys again: a claim that nobody pokes would wait for the hourly reminder.
                won = _state.State.Claimers.TryGetValue(cause, out var owner) && owner == claimer;
                return null;
            }

            // Marked handled only once the write succeeds: a failed write undoes this, leaving the cause unclaimed for the
            // retry (this claimer's, or another survivor's), instead of a memory that says "done" with nobody poking.
            var before = new List<string>(handled);
            var claimersBefore = new Dictionary<string, string>(_state.State.Claimers, StringComparer.Ordinal);
            handled.Add(cause);
            _state.State.Claimers[cause] = claimer;
            if (handled.Count > HandledMemory)
            {
                foreach (var forgotten in handled.Take(handled.Count - HandledMemory))
                {
                    _state.State.Claimers.Remove(forgotten);
                }

                handled.RemoveRange(0, handled.Count - HandledMemory);
            }

            won = true;
            return () =>
            {
                _state.State.HandledCauses = before;
                _state.State.Claimers = claimersBefore;
            };
        });

        return won ? Keys() : [];
    }

    private ImmutableArray<string> Keys() => [.. _state.State.Keys.Order(StringComparer.Ordinal)];

    [ReadOnly]
    public Task<ImmutableArray<string>> ListAsync() => Task.FromResult(Keys());
}
