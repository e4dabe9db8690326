namespace NodeDb.Orleans;

/// <summary>Who paused a schedule, when, and why.</summary>
[GenerateSerializer, Immutable, Alias("nodedb.PauseInfo")]
public sealed record PauseInfo(
    [property: Id(0)] string By,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] string? Note);
