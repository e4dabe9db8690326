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
    [property: Id(7)] string Silo)
{
    /// <summary>The dispatch this completion ends (<see cref="Running.RunTicket.Dispatch"/>).</summary>
    [Id(8)] public string Dispatch { get; init; } = "";

    /// <summary>How long the run waited in the silo's queue for a slot.</summary>
    [Id(9)] public TimeSpan Waited { get; init; }
}
