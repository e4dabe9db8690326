using System.Collections.Immutable;

namespace NodeDb.Orleans;

/// <summary>One page of <see cref="ISqlSessionGrain.GetSummariesAsync"/>: the page's summaries in order, and how many match in all.</summary>
[GenerateSerializer, Immutable, Alias("nodedb.SchedulePage")]
public sealed record SchedulePage
{
    [Id(0)] public ImmutableArray<ScheduleSummary> Items { get; init; } = [];

    [Id(1)] public int Total { get; init; }
}
