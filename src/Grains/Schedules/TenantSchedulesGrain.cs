using System.Collections.Immutable;
using Orleans.Concurrency;

namespace NodeDb.Orleans.Grains.Schedules;

/// <summary>The names of one tenant's schedules, persisted, so listing never scans the cluster.</summary>
public sealed class TenantSchedulesGrain(
    [PersistentState("tenant-schedules", StorageNames.Schedules)] IPersistentState<TenantSchedulesState> state)
    : Grain, ITenantSchedulesGrain
{
    public async Task AddAsync(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (state.State.Names.Add(name))
        {
            await state.WriteStateAsync();
        }
    }

    public async Task RemoveAsync(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (state.State.Names.Remove(name))
        {
            await state.WriteStateAsync();
        }
    }

    [ReadOnly]
    public Task<ImmutableArray<string>> ListAsync() =>
        Task.FromResult(state.State.Names.Order(StringComparer.Ordinal).ToImmutableArray());
}
