using System.Collections.Immutable;

namespace NodeDb.Orleans;

/// <summary>A schedule as it stands: definition, markers and what is running.</summary>
[GenerateSerializer, Immutable, Alias("nodedb.ScheduleStatus")]
public sealed record ScheduleStatus
{
    [Id(0)] public required ScheduleDefinition Definition { get; init; }

    [Id(1)] public PauseInfo? Pause { get; init; }

    /// <summary>The last occurrence fired (or the first observation marker).</summary>
    [Id(2)] public DateTimeOffset? LastFired { get; init; }

    /// <summary>The next occurrence that will fire; <see langword="null"/> when disabled, paused, ended or never matching.</summary>
    [Id(3)] public DateTimeOffset? NextRun { get; init; }

    [Id(4)] public ImmutableArray<InFlightRun> InFlight { get; init; } = [];

    [Id(5)] public RunStatus? LastStatus { get; init; }

    [Id(6)] public DateTimeOffset CreatedAt { get; init; }

    [Id(7)] public DateTimeOffset UpdatedAt { get; init; }

    [Id(8)] public DateTimeOffset? LastFinishedAt { get; init; }

    /// <summary>
    /// Whether some of this schedule's run rows are not in history yet: history was unreachable when they were recorded.
    /// They are kept in the schedule's state and appended as soon as history answers (the schedule tries every few
    /// seconds); until then <c>schedule history</c> does not show them.
    /// </summary>
    [Id(9)] public bool HistoryPending { get; init; }

    public bool Paused => Pause is not null;
}
