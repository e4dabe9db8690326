namespace NodeDb.Orleans.Grains.History;

/// <summary>The persisted rows of one <see cref="IOutboxChunkGrain"/>.</summary>
[GenerateSerializer, Alias("nodedb.OutboxChunkState")]
public sealed class OutboxChunkState
{
    [Id(0)] public List<RunRecord> Rows { get; set; } = [];
}
