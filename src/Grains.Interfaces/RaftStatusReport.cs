namespace NodeDb.Orleans;

/// <summary>The status of one replication group, as reported by the database.</summary>
[GenerateSerializer, Immutable, Alias("nodedb.RaftStatusReport")]
public sealed record RaftStatusReport
{
    /// <summary>The current leader, or <see langword="null"/> when the group has none.</summary>
    [Id(0)] public string? LeaderId { get; init; }

    [Id(1)] public long CommitIndex { get; init; }

    [Id(2)] public long LastApplied { get; init; }

    /// <summary>When the report was taken; the grain stamps its own clock when absent.</summary>
    [Id(3)] public DateTimeOffset? ReportedAt { get; init; }
}
