using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using NodeDb.Orleans.Grains.Storage;
using Orleans.Concurrency;
using Orleans.Storage;

namespace NodeDb.Orleans.Grains.Recovery;

/// <summary>A shard of the wake registry. See <see cref="IScheduleWakeShardGrain"/>.</summary>
/// <remarks>
/// It only hands out keys: the poking happens in the caller (<see cref="FailoverWatcher"/>), outside any grain turn.
/// Poking from here would hold this turn while a schedule that is busy calling <see cref="AddAsync"/> (its create or
/// enable) waits for it, and the two would wait on each other until the call timeout.
/// Reentrant, with every change batched (<see cref="GrainWriteBatch"/>): the adds of a bulk create share writes. The keys
/// are stored in segments of at most <see cref="SegmentedNameSet.SegmentCapacity"/> (<see cref="SegmentedNameSet"/>), so an
/// add costs the same however many schedules the cluster has.
/// </remarks>
[Reentrant]
public sealed class ScheduleWakeShardGrain : Grain, IScheduleWakeShardGrain
{
    /// <summary>How many handled causes a shard remembers; an older one coming back only costs a redundant wake.</summary>
    internal const int HandledMemory = 256;

    /// <summary>The shard's state name; its key segments are <c>wake.0</c>, <c>wake.1</c>, ….</summary>
    internal const string StateName = "wake";

    private readonly IPersistentState<WakeShardState> _state;

    // Every change of the shard's own row (claims, the segment count) goes through this one batch, so no two writes of it
    // overlap; a caller is answered once the write holding its change succeeded. The keys are in segments (_keys), each
    // with a batch of its own, so the adds of a bulk create share writes and each write carries at most a segment.
    private readonly GrainWriteBatch _writes;
    private SegmentedNameSet _keys = null!;

    public ScheduleWakeShardGrain([PersistentState(StateName, StorageNames.Schedules)] IPersistentState<WakeShardState> state)
    {
        _state = state;
        _writes = new GrainWriteBatch(state.WriteStateAsync, DeactivateOnIdle);
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var storage = ServiceProvider.GetRequiredKeyedService<IGrainStorage>(StorageNames.Schedules);
        _keys = new SegmentedNameSet(storage, this.GetGrainId(), StateName, EnsureSegmentsAsync, DeactivateOnIdle);
        await _keys.LoadAsync(_state.State.Segments);
        await MoveLegacyKeysAsync();
    }

    /// <summary>
    /// Moves the keys an earlier version kept in the shard's own row into segments, then empties that row's key set. A
    /// crash in between leaves a key in both, and the segment's copy wins at the next activation (it is never older: no
    /// call is served before the row is emptied). Nothing is served until this succeeded.
    /// </summary>
    private async Task MoveLegacyKeysAsync()
    {
        var legacy = _state.State;
        if (legacy.Keys.Count == 0 && legacy.Hosts.Count == 0)
        {
            return;
        }

        await Task.WhenAll(legacy.Keys.Where(key => !_keys.Entries.ContainsKey(key))
            .Select(key => _keys.SetAsync(key, legacy.Hosts.GetValueOrDefault(key) ?? string.Empty)));
        await _writes.RunAsync(() =>
        {
            var (keys, hosts) = (legacy.Keys, legacy.Hosts);
            legacy.Keys = [];
            legacy.Hosts = new Dictionary<string, string>(StringComparer.Ordinal);
            return () => (legacy.Keys, legacy.Hosts) = (keys, hosts);
        });
    }

    private Task EnsureSegmentsAsync(int count) =>
        _state.State.Segments >= count
            ? Task.CompletedTask
            : _writes.RunAsync(() =>
            {
                var before = _state.State.Segments;
                if (before >= count)
                {
                    return null;
                }

                _state.State.Segments = count;
                return () => _state.State.Segments = before;
            });

    public Task AddAsync(string scheduleKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(scheduleKey);
        return _keys.AddAsync(scheduleKey);
    }

    public Task RegisterAsync(string scheduleKey, string host)
    {
        ArgumentException.ThrowIfNullOrEmpty(scheduleKey);
        ArgumentException.ThrowIfNullOrEmpty(host);
        return _keys.SetAsync(scheduleKey, host);
    }

    public Task RegisterManyAsync(ImmutableArray<string> scheduleKeys, string host)
    {
        if (scheduleKeys.IsDefault)
        {
            throw new ArgumentNullException(nameof(scheduleKeys));
        }

        ArgumentException.ThrowIfNullOrEmpty(host);
        foreach (var key in scheduleKeys)
        {
            ArgumentException.ThrowIfNullOrEmpty(key);
        }

        // Queued together, so each segment's batch carries all of its keys in one write.
        return Task.WhenAll(scheduleKeys.Select(key => _keys.SetAsync(key, host)));
    }

    public Task RemoveAsync(string scheduleKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(scheduleKey);
        return _keys.RemoveAsync(scheduleKey);
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

        return [.. _keys.Entries
            .Where(entry => entry.Value.Length == 0 || entry.Value == IScheduleWakeShardGrain.AnyHost || dead.Contains(entry.Value))
            .Select(entry => entry.Key)
            .Order(StringComparer.Ordinal)];
    }

    private ImmutableArray<string> Keys() => [.. _keys.Entries.Keys.Order(StringComparer.Ordinal)];

    [ReadOnly]
    public Task<ImmutableArray<string>> ListAsync() => Task.FromResult(Keys());
}
