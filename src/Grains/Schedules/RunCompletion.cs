namespace NodeDb.Orleans.Grains.Schedules;

/// <summary>A dispatcher's report that a run ended.</summary>
[GenerateSerializer, Immutable, Alias("nodedb.RunCompletion")]
public sealed record RunCompletion(
    [property: Id(0)] string RunId,
    [property: Id(1)] RunStatus Status,
    [property: Id(2)] int Attempt,
    [property: Id(3)] string? Error,
    [property: Id(4)] string? Reason,
    [property: Id(5)] DateTimeOffset StartedAt,
    [property: Id(6)] DateTimeOffset FinishedAt,
    [property: Id(7)] string Silo);
