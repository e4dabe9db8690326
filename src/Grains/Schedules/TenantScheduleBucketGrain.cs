using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using NodeDb.Orleans.Grains.Storage;
using Orleans.Concurrency;
using Orleans.Storage;

namespace NodeDb.Orleans.Grains.Schedules;

/// <summary>A persisted set of schedule names: one bucket of a tenant's index.</summary>
/// <remarks>
/// <para>Only creates, drops and listings need it, so an idle bucket goes after 2 minutes instead of Orleans' 15.</para>
/// <para>The names are stored in segments of at most <see cref="SegmentedNameSet.SegmentCapacity"/>
/// (<see cref="SegmentedNameSet"/>), so adding a name rewrites one small segment however many the bucket holds. Reentrant
/// so that names added at the same time share one write of their segment (<see cref="GrainWriteBatch"/>); a caller is
/// answered once the write holding its change succeeded.</para>
/// </remarks>
[Reentrant]
[CollectionAgeLimit(Minutes = 2)]
public sealed class TenantScheduleBucketGrain : Grain, ITenantScheduleBucketGrain
{
    /// <summary>The bucket's state name; its name segments are <c>tenant-schedules.0</c>, <c>tenant-schedules.1</c>, ….</summary>
    internal const string StateName = "tenant-schedules";

    private readonly IPersistentState<TenantSchedulesState> _state;

    // The bucket's own row (the segment count, and the names of an earlier version) changes only through this batch.
    private readonly GrainWriteBatch _writes;
    private SegmentedNameSet _names = null!;

    public TenantScheduleBucketGrain([PersistentState(StateName, StorageNames.Schedules)] IPersistentState<TenantSchedulesState> state)
    {
        _state = state;
        _writes = new GrainWriteBatch(state.WriteStateAsync, DeactivateOnIdle);
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var storage = ServiceProvider.GetRequiredKeyedService<IGrainStorage>(StorageNames.Schedules);
        _names = new SegmentedNameSet(storage, this.GetGrainId(), StateName, EnsureSegmentsAsync, DeactivateOnIdle);
        await _names.LoadAsync(_state.State.Segments);
        await MoveLegacyNamesAsync();
    }

    /// <summary>
    /// Moves the names an earlier version kept in the bucket's own row into segments, then empties that row's set. A crash
    /// in between leaves a name in both, which is harmless: the segment's copy is the one used, and no call is served
    /// before the row is emptied, so the row's copy is never newer.
    /// </summary>
    private async Task MoveLegacyNamesAsync()
    {
        var legacy = _state.State.Names;
        if (legacy.Count == 0)
        {
            return;
        }

        await Task.WhenAll(legacy.Where(name => !_names.Entries.ContainsKey(name)).Select(_names.AddAsync));
        await _writes.RunAsync(() =>
        {
            _state.State.Names = new HashSet<string>(StringComparer.Ordinal);
            return () => _state.State.Names = legacy;
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

    public Task AddAsync(string name) => _names.AddAsync(name);

    public Task AddManyAsync(ImmutableArray<string> names) => Task.WhenAll(names.Select(_names.AddAsync));

    public Task RemoveAsync(string name) => _names.RemoveAsync(name);

    [ReadOnly]
    public Task<ImmutableArray<string>> ListAsync() => Task.FromResult(_names.Entries.Keys.ToImmutableArray());
}
