namespace NodeDb.Orleans.Grains.History;

/// <summary>Where a schedule's spilled outbox stands: the chunks <c>[First, Next)</c> and the rows folded past the keep limit.</summary>
[GenerateSerializer, Alias("nodedb.OutboxSpill")]
public sealed class OutboxSpill
{
    /// <summary>The oldest chunk not yet in history.</summary>
    [Id(0)] public long First { get; set; }

    /// <summary>The chunk the next spill writes.</summary>
    [Id(1)] public long Next { get; set; }

    /// <summary>
    /// Rows of chunks dropped beyond what history keeps per schedule, folded into one summary row per status
    /// (each counting every occurrence it stands for). Older than every chunk; appended first.
    /// </summary>
    [Id(2)] public List<RunRecord> Folded { get; set; } = [];

    public bool IsEmpty => First == Next && Folded.Count == 0;
}
