namespace NodeDb.Orleans.Grains.Recovery;

/// <summary>The persisted state of one wake-registry shard.</summary>
[GenerateSerializer, Alias("nodedb.WakeShardState")]
public sealed class WakeShardState
{
    /// <summary>Keys of enabled schedules in this shard.</summary>
    [Id(0)] public HashSet<string> Keys { get; set; } = [];

    /// <summary>Causes (dead silos, cluster starts) this shard already woke its schedules for, oldest first, bounded.</summary>
    [Id(1)] public List<string> HandledCauses { get; set; } = [];

    /// <summary>Who claimed each handled cause, so the same claimer asking again gets the keys again.</summary>
    [Id(2)] public Dictionary<string, string> Claimers { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The silo (parsable address) each enabled schedule last registered from: the silo whose tick index holds it, so a
    /// silo's death wakes only the schedules it held. A key without an entry (registered before hosts were recorded,
    /// or whose record failed) is woken for every dead silo.
    /// </summary>
    [Id(3)] public Dictionary<string, string> Hosts { get; set; } = new(StringComparer.Ordinal);
}
