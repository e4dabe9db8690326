using System.Collections.Immutable;

namespace NodeDb.Orleans;

/// <summary>The next occurrences of a cron expression in a zone, each carrying the zone's offset at that instant.</summary>
[GenerateSerializer, Immutable, Alias("nodedb.CronPreview")]
public sealed record CronPreview
{
    /// <summary>The zone the expression was read in (the silo default when none was given).</summary>
    [Id(0)] public required string Zone { get; init; }

    /// <summary>The instant the occurrences follow, shown in <see cref="Zone"/>.</summary>
    [Id(1)] public required DateTimeOffset From { get; init; }

    /// <summary>The occurrences, in order, shown in <see cref="Zone"/>; fewer than asked when the expression stops matching.</summary>
    [Id(2)] public ImmutableArray<DateTimeOffset> Occurrences { get; init; } = [];
}
