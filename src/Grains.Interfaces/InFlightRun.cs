namespace NodeDb.Orleans;

/// <summary>A run that has been claimed in storage and has not been recorded yet.</summary>
[GenerateSerializer, Immutable, Alias("nodedb.InFlightRun")]
public sealed record InFlightRun
{
    [Id(0)] public required string RunId { get; init; }

    [Id(1)] public DateTimeOffset? ScheduledAt { get; init; }

    [Id(2)] public DateTimeOffset ClaimedAt { get; init; }

    [Id(3)] public string? Silo { get; init; }

    [Id(4)] public RunTrigger Trigger { get; init; }

    /// <summary>For a catch-up run: the first occurrence it covers.</summary>
    [Id(5)] public DateTimeOffset? CoversFrom { get; init; }

    /// <summary>How many occurrences the run stands for (1 but for catch-up runs).</summary>
    [Id(6)] public int Count { get; init; } = 1;

    /// <summary>True while the run waits for the previous one to end (<see cref="OverlapPolicy.BufferOne"/>).</summary>
    [Id(7)] public bool Buffered { get; init; }

    /// <summary>
    /// The token of the run's current dispatch to a silo; empty until dispatched. Only a completion that carries this
    /// token settles the run, so a late completion of an earlier dispatch can never settle a newer one.
    /// </summary>
    [Id(8)] public string Dispatch { get; init; } = "";

    /// <summary>True for a SCOPE LOCAL run whose id already names its silo: it is never fanned out again.</summary>
    [Id(9)] public bool PerSilo { get; init; }

    /// <summary>
    /// True for a run taken back, before it started, from a silo that was stopping (a graceful hand-off): no dispatcher
    /// holds it and it never ran, so the schedule's next activation dispatches it again, under the same id, at once.
    /// </summary>
    [Id(10)] public bool HandedOff { get; init; }
}
