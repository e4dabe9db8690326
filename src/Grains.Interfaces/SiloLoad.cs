namespace NodeDb.Orleans;

/// <summary>
/// One silo of the cluster and its load, as <see cref="ISqlSessionGrain.GetSilosAsync"/> lists it: cluster-wide counts
/// only, never a tenant's or a schedule's name.
/// </summary>
[GenerateSerializer, Immutable, Alias("nodedb.SiloLoad")]
public sealed record SiloLoad
{
    /// <summary>The silo's address (<c>host:port@generation</c>).</summary>
    [Id(0)] public required string Address { get; init; }

    /// <summary>The silo's name in the membership table.</summary>
    [Id(1)] public string? Name { get; init; }

    /// <summary>Its membership status: <c>active</c>, <c>joining</c>, <c>shutting down</c>…; <c>unreachable</c> when active but it did not answer.</summary>
    [Id(2)] public required string Status { get; init; }

    /// <summary>Schedules in the silo's tick index (the ones it fires); null when it did not answer.</summary>
    [Id(3)] public int? SchedulesHosted { get; init; }

    /// <summary>Bodies running on it now (slots in use).</summary>
    [Id(4)] public int? Running { get; init; }

    /// <summary>Its slots: at most this many bodies run at once (<c>Scheduler:MaxConcurrentJobs</c>).</summary>
    [Id(5)] public int? Slots { get; init; }

    /// <summary>Runs whose instant has come, waiting for a slot.</summary>
    [Id(6)] public int? Queued { get; init; }

    /// <summary>Runs armed ahead, held until their instant.</summary>
    [Id(7)] public int? Held { get; init; }

    /// <summary>Why the counts are missing (the silo did not answer in time), or null.</summary>
    [Id(8)] public string? Error { get; init; }
}
