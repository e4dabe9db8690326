namespace NodeDb.Orleans.Grains.Running;

/// <summary>A claimed run on its way to a silo's dispatcher (it crosses the wire for SCOPE LOCAL runs).</summary>
[GenerateSerializer, Immutable, Alias("nodedb.RunTicket")]
public sealed record RunTicket
{
    /// <summary>The schedule grain that receives the completion.</summary>
    [Id(0)] public required string ScheduleKey { get; init; }

    [Id(1)] public required string RunId { get; init; }

    [Id(2)] public required string Tenant { get; init; }

    [Id(3)] public required string Schedule { get; init; }

    [Id(4)] public required string Body { get; init; }

    [Id(5)] public required string Owner { get; init; }

    [Id(6)] public TimeSpan Timeout { get; init; }

    [Id(7)] public int Retries { get; init; }

    [Id(8)] public DateTimeOffset? ScheduledAt { get; init; }

    [Id(9)] public RunTrigger Trigger { get; init; }

    /// <summary>The dispatcher holds the run until this instant (an occurrence armed ahead of its time).</summary>
    [Id(10)] public DateTimeOffset? NotBefore { get; init; }

    /// <summary>
    /// Names this dispatch of the run (a new token for every dispatch): a completion carries it back, and the schedule
    /// settles a run only with the completion of its current dispatch, never with a late one from an older dispatch.
    /// </summary>
    [Id(11)] public string Dispatch { get; init; } = "";

    public JobRequest ToRequest() => new()
    {
        Tenant = Tenant,
        Schedule = Schedule,
        RunId = RunId,
        Body = Body,
        Owner = Owner,
        Timeout = Timeout,
        Retries = Retries,
        ScheduledAt = ScheduledAt,
        Trigger = Trigger,
    };
}
