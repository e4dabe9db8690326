namespace NodeDb.Orleans;

/// <summary>Which history rows to return, newest first.</summary>
[GenerateSerializer, Immutable, Alias("nodedb.HistoryQuery")]
public sealed record HistoryQuery
{
    /// <summary>Only rows of this schedule; <see langword="null"/> for every schedule of the tenant.</summary>
    [Id(0)] public string? Schedule { get; init; }

    [Id(1)] public RunStatus? Status { get; init; }

    /// <summary>At most this many rows. Defaults to 50.</summary>
    [Id(2)] public int Limit { get; init; } = 50;
}
