namespace NodeDb.Orleans.Grains.Recovery;

/// <summary>The persisted state of one wake-registry shard.</summary>
[GenerateSerializer, Alias("nodedb.WakeShardState")]
public sealed class WakeShardState
{
    /// <summary>
    /// Keys of enabled schedules, as versions before segmented key sets kept them (all in this one row). Read at activation
    /// and moved into the segments (<see cref="Segments"/>); empty from then on.
    /// </summary>
    [Id(0)] public HashSet<string> Keys { get; set; } = [];

    /// <summary>Causes (dead silos, cluster starts) this shard already woke its schedules for, oldest first, bounded.</summary>
    [Id(1)] public List<string> HandledCauses { get; set; } = [];

    /// <summary>Who claimed each handled cause, so the same claimer asking again gets the keys again.</summary>
    [Id(2)] public Dictionary<string, string> Claimers { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The hosts of <see cref="Keys"/>, as versions before segmented key sets kept them; moved with them.</summary>
    [Id(3)] public Dictionary<string, string> Hosts { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// How many segments hold this shard's keys (<see cref="Storage.SegmentedNameSet"/>, states <c>wake.0</c>, <c>wake.1</c>, …):
    /// each enabled schedule's key with the silo (parsable address) it last registered from, the silo whose tick index
    /// holds it, so a silo's death wakes only the schedules it held. A key with an empty host (added without one, or
    /// registered before hosts were recorded) is woken for every dead silo.
    /// </summary>
    [Id(4)] public int Segments { get; set; }
}
