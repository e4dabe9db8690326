namespace NodeDb.Orleans;

/// <summary>
/// What a tenant asked for: a cron expression in a zone and a SQL body, with its policies.
/// </summary>
/// <remarks>
/// Optional values left <see langword="null"/> take the silo's configured defaults at fire time,
/// so changing a default reaches every schedule that did not override it.
/// </remarks>
[GenerateSerializer, Immutable, Alias("nodedb.ScheduleDefinition")]
public sealed record ScheduleDefinition
{
    /// <summary>The tenant that owns the schedule; part of the key.</summary>
    [Id(0)] public required string Tenant { get; init; }

    /// <summary>Lower-case name, unique within the tenant; part of the key.</summary>
    [Id(1)] public required string Name { get; init; }

    /// <summary>A Cronos expression: five fields (minute unit) or six with leading seconds (second unit), or a macro.</summary>
    [Id(2)] public required string Cron { get; init; }

    /// <summary>An IANA zone id or a fixed offset <c>±HH:MM</c>; <see langword="null"/> for the silo default.</summary>
    [Id(3)] public string? TimeZone { get; init; }

    /// <summary>The SQL body, <c>BEGIN … END</c>, run in one transaction against the tenant's database.</summary>
    [Id(4)] public required string Body { get; init; }

    [Id(5)] public ScheduleScope Scope { get; init; } = ScheduleScope.Normal;

    [Id(6)] public OverlapPolicy Overlap { get; init; } = OverlapPolicy.Allow;

    [Id(7)] public MissedPolicy Missed { get; init; } = MissedPolicy.Skip;

    /// <summary>The most missed occurrences <see cref="MissedPolicy.Queue"/> replays; <see langword="null"/> for the default (100).</summary>
    [Id(8)] public int? QueueCap { get; init; }

    /// <summary>The time budget of one run, all attempts included; <see langword="null"/> for the default (300 s).</summary>
    [Id(9)] public TimeSpan? Timeout { get; init; }

    /// <summary>Retries after the first attempt; <see langword="null"/> for the default (1, as NodeDB).</summary>
    [Id(10)] public int? Retries { get; init; }

    /// <summary>The collection whose replication group gates firing; <see langword="null"/> to infer it from the body.</summary>
    [Id(11)] public string? Target { get; init; }

    /// <summary>The user the runs act for, recorded in every history row.</summary>
    [Id(12)] public string Owner { get; init; } = "admin";

    /// <summary>No occurrence before this instant fires.</summary>
    [Id(13)] public DateTimeOffset? StartAt { get; init; }

    /// <summary>No occurrence after this instant fires.</summary>
    [Id(14)] public DateTimeOffset? EndAt { get; init; }

    /// <summary>A disabled schedule keeps its definition and history but fires nothing.</summary>
    [Id(15)] public bool Enabled { get; init; } = true;

    /// <summary>The grain key: <c>"{tenant}/{name}"</c>.</summary>
    public string Key => ScheduleKey.Of(Tenant, Name);
}
