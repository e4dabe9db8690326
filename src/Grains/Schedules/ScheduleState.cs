namespace NodeDb.Orleans.Grains.Schedules;

/// <summary>The persisted state of a schedule grain. Every change that matters is written before it takes effect.</summary>
[GenerateSerializer, Alias("nodedb.ScheduleState")]
public sealed class ScheduleState
{
    /// <summary>Null when the schedule does not exist (never created, or dropped).</summary>
    [Id(0)] public ScheduleDefinition? Definition { get; set; }

    /// <summary>The last occurrence fired, or the first-observation marker (the seed contract).</summary>
    [Id(1)] public DateTimeOffset? LastFired { get; set; }

    /// <summary>Runs claimed and started, not recorded yet.</summary>
    [Id(2)] public List<InFlightRun> InFlight { get; set; } = [];

    [Id(3)] public PauseInfo? Pause { get; set; }

    [Id(4)] public RunStatus? LastStatus { get; set; }

    [Id(5)] public DateTimeOffset CreatedAt { get; set; }

    [Id(6)] public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Runs claimed but waiting to start, in order (a queue's replays, a buffered occurrence).</summary>
    [Id(7)] public List<InFlightRun> Backlog { get; set; } = [];

    /// <summary>History rows written here first, then appended to the history grain (idempotent by run id), so a crash loses none.</summary>
    [Id(8)] public List<RunRecord> Outbox { get; set; } = [];

    /// <summary>Bumped by every CREATE, so a re-created schedule never reuses an old run id.</summary>
    [Id(9)] public long Generation { get; set; }

    [Id(10)] public DateTimeOffset? LastFinishedAt { get; set; }

    /// <summary>Outbox rows spilled while history was down (<see cref="History.HistoryOutbox"/>); null when none.</summary>
    [Id(11)] public History.OutboxSpill? Spill { get; set; }
}
