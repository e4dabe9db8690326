using System.Collections.Immutable;
using NodeDb.Orleans.Grains.Storage;
using Orleans.Concurrency;

namespace NodeDb.Orleans.Grains.Schedules;

/// <summary>A persisted set of schedule names: one bucket of a tenant's index.</summary>
/// <remarks>
/// <para>Only creates, drops and listings need it, so an idle bucket goes after 2 minutes instead of Orleans' 15.</para>
/// <para>Reentrant so that names added at the same time share one write (<see cref="GrainWriteBatch"/>): a bulk import
/// of 10,000 schedules rewrites each bucket a few times instead of once per name. Every change of the set goes through
/// the batch; a caller is answered once the write holding its change succeeded.</para>
/// </remarks>
[Reentrant]
[CollectionAgeLimit(Minutes = 2)]
public sealed class TenantScheduleBucketGrain : Grain, ITenantScheduleBucketGrain
{
    private readonly IPersistentState<TenantSchedulesState> _state;
    private readonly GrainWriteBatch _writes;

    public TenantScheduleBucketGrain([PersistentState("tenant-schedules", StorageNames.Schedules)] IPersistentState<TenantSchedulesState> state)
    {
        _state = state;
        _writes = new GrainWriteBatch(state.WriteStateAsync, DeactivateOnIdle);
    }

    public Task AddAsync(string name) => _writes.RunAsync(() => _state.State.Names.Add(name) ? () => _state.State.Names.Remove(name) : null);

    public Task RemoveAsync(string name) => _writes.RunAsync(() => _state.State.Names.Remove(name) ? () => _state.State.Names.Add(name) : null);

    [ReadOnly]
    public Task<ImmutableArray<string>> ListAsync() => Task.FromResult(_state.State.Names.ToImmutableArray());
}
