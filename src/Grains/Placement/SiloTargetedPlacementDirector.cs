using Orleans.Runtime.Placement;

namespace NodeDb.Orleans.Grains.Placement;

/// <summary>Puts the activation on the silo named by the grain key; refuses when that silo is not in the cluster.</summary>
public sealed class SiloTargetedPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var key = target.GrainIdentity.Key.ToString()!;
        var wanted = SiloAddress.FromParsableString(key);
        if (context.GetCompatibleSilos(target).Contains(wanted))
        {
            return Task.FromResult(wanted);
        }

        throw new InvalidOperationException($"Silo '{key}' is not an active member of the cluster; its per-silo run cannot be placed.");
    }
}
