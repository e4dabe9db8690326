namespace NodeDb.Orleans.Grains.Placement;

/// <summary>Places a grain on the silo its key names (a <see cref="SiloAddress"/> in parsable form).</summary>
[GenerateSerializer, Immutable, Alias("nodedb.SiloTargetedPlacement")]
public sealed class SiloTargetedPlacement : PlacementStrategy
{
    public static SiloTargetedPlacement Instance { get; } = new();
}
