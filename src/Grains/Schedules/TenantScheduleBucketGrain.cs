using System.Collections.Immutable;
using Orleans.Concurrency;

namespace NodeDb.Orleans.Grains.Schedules;

/// <summary>A persisted set of schedule names: one bucket of a tenant's index.</summary>
/// <remarks>Only creates, drops and listings need it, so an idle bucket goes after 2 minutes instead of Orleans' 15.</remarks>
[CollectionAgeLimit(Minutes = 2)]
public sealed class TenantScheduleBucketGrain(
    [PersistentState("tenant-schedules", StorageNames.Schedules)] IPersistentState<TenantSchedulesState> state)
    : Grain, ITenantScheduleBucketGrain
{
    public async Task AddAsync(string name)
    {
        if (state.State.Names.Add(name))
        {
            await state.WriteStateAsync();
        }
    }

    public async Task RemoveAsync(string name)
    {
        if (state.State.Names.Remove(name))
        {
            await state.WriteStateAsync();
        }
    }

    [ReadOnly]
    public Task<ImmutableArray<string>> ListAsync() => Task.FromResult(state.State.Names.ToImmutableArray());
}
