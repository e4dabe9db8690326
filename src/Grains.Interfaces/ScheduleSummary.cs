namespace NodeDb.Orleans;

/// <summary>
/// What the Schedules list sorts and filters by, for one schedule: kept by the silo that hosts it each time the schedule
/// computes its next run (after every change of its state), and read for a whole tenant by <see cref="ISqlSessionGrain.GetSummariesAsync"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("nodedb.ScheduleSummary")]
public sealed record ScheduleSummary
{
    [Id(0)] public required string Name { get; init; }

    /// <summary>The next run as of <see cref="AsOf"/> (in the schedule's zone); null when none is due (paused, disabled, ended).</summary>
    [Id(1)] public DateTimeOffset? NextRun { get; init; }

    [Id(2)] public RunStatus? LastStatus { get; init; }

    [Id(3)] public bool Paused { get; init; }

    /// <summary>When the hosting silo took this summary; of two (a schedule that moved), the later one stands.</summary>
    [Id(4)] public DateTimeOffset AsOf { get; init; }

    /// <summary>The summary of a full status.</summary>
    public static ScheduleSummary Of(ScheduleStatus status, DateTimeOffset asOf)
    {
        ArgumentNullException.ThrowIfNull(status);
        return new ScheduleSummary
        {
            Name = status.Definition.Name,
            NextRun = status.NextRun,
            LastStatus = status.LastStatus,
            Paused = status.Paused,
            AsOf = asOf,
        };
    }
}
