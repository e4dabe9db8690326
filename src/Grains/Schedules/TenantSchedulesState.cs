namespace NodeDb.Orleans.Grains.Schedules;

/// <summary>The persisted state of one bucket of a tenant's index (<see cref="TenantScheduleBucketGrain"/>).</summary>
[GenerateSerializer, Alias("nodedb.TenantSchedulesState")]
public sealed class TenantSchedulesState
{
    /// <summary>
    /// The bucket's names, as versions before segmented name sets kept them (all in this one row). Read at activation and
    /// moved into the segments (<see cref="Segments"/>); empty from then on.
    /// </summary>
    [Id(0)] public HashSet<string> Names { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// How many segments hold the bucket's names (<see cref="Storage.SegmentedNameSet"/>, states <c>tenant-schedules.0</c>,
    /// <c>tenant-schedules.1</c>, …).
    /// </summary>
    [Id(1)] public int Segments { get; set; }
}
