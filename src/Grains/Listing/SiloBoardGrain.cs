using System.Collections.Immutable;
using NodeDb.Orleans.Grains.Placement;
using Orleans.Concurrency;

namespace NodeDb.Orleans.Grains.Listing;

/// <summary>Reads the board of the silo it is placed on.</summary>
[SiloTargetedPlacement, Reentrant]
public sealed class SiloBoardGrain(ScheduleBoard board) : Grain, ISiloBoardGrain
{
    public Task<ImmutableArray<ScheduleSummary>> GetAsync(string tenant) => Task.FromResult(board.Of(tenant));
}
