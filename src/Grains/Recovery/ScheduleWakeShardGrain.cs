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

    public Task RegisterAsync(string scheduleKey, string host)
    {
        ArgumentException.ThrowIfNullOrEmpty(scheduleKey);
        ArgumentException.ThrowIfNullOrEmpty(host);
        return _writes.RunAsync(() =>
        {
            var added = _state.State.Keys.Add(scheduleKey);
            var hadHost = _state.State.Hosts.TryGetValue(scheduleKey, out var previous);
            if (!added && hadHost && previous == host)
            {
                return null;
            }

            _state.State.Hosts[scheduleKey] = host;
            return () =>
            {
                if (added)
                {
                    _state.State.Keys.Remove(scheduleKey);
                }

                if (hadHost)
                {
                    _state.State.Hosts[scheduleKey] = previous!;
                }
                else
                {
                    _state.State.Hosts.Remove(scheduleKey);
                }
            };
        });
    }

    public Task RemoveAsync(string scheduleKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(scheduleKey);
        return _writes.RunAsync(() =>
        {
            var hadHost = _state.State.Hosts.Remove(scheduleKey, out var host);
            if (!_state.State.Keys.Remove(scheduleKey) && !hadHost)
            {
                return null;
            }

            return () =>
            {
                _state.State.Keys.Add(scheduleKey);
                if (hadHost)
                {
                    _state.State.Hosts[scheduleKey] = host!;
                }
            };
        });
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

        return won ? KeysFor(cause) : [];
    }

    /// <summary>
    /// What a cause wakes: a cluster start, every key; a dead silo, the keys it held, those whose host is unknown or any
    /// silo (SCOPE LOCAL), and those it had claimed to wake for another dead silo and may not have poked yet. A key
    /// recorded on a live silo is not there: it still ticks where it is.
    /// </summary>
    private ImmutableArray<string> KeysFor(string cause)
    {
        if (cause.StartsWith(FailoverWatcher.StartCause, StringComparison.Ordinal))
        {
            return Keys();
        }

        // The dead silo, and every dead silo whose wake it won, or whose wake was won by one of those (a claimer that
        // died part-way leaves its keys to whoever wakes for its own death). A key poked in time has a live host by now.
        var dead = new HashSet<string>(StringComparer.Ordinal) { cause };
        for (var grew = true; grew;)
        {
            grew = false;
            foreach (var (handled, claimer) in _state.State.Claimers)
            {
                grew |= dead.Contains(claimer) && dead.Add(handled);
            }
        }

        var hosts = _state.State.Hosts;
        return [.. _state.State.Keys
            .Where(key => !hosts.TryGetValue(key, out var host) || host == IScheduleWakeShardGrain.AnyHost || dead.Contains(host))
            .Order(StringComparer.Ordinal)];
    }

    private ImmutableArray<string> Keys() => [.. _state.State.Keys.Order(StringComparer.Ordinal)];

    [ReadOnly]
    public Task<ImmutableArray<string>> ListAsync() => Task.FromResult(Keys());
}
