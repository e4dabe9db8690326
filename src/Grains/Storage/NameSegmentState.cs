namespace NodeDb.Orleans.Grains.Storage;

/// <summary>One persisted segment of a <see cref="SegmentedNameSet"/>: at most <see cref="SegmentedNameSet.SegmentCapacity"/> names.</summary>
[GenerateSerializer, Alias("nodedb.NameSegmentState")]
public sealed class NameSegmentState
{
    /// <summary>The names of this segment, each with its value (empty when the set's owner records none).</summary>
    [Id(0)] public Dictionary<string, string> Entries { get; set; } = new(StringComparer.Ordinal);
}
