namespace NodeDb.Orleans;

/// <summary>A page of a tenant's schedules by their summaries: search, filter, sort (<see cref="ISqlSessionGrain.GetSummariesAsync"/>).</summary>
[GenerateSerializer, Immutable, Alias("nodedb.ScheduleQuery")]
public sealed record ScheduleQuery
{
    /// <summary>The filters: <c>paused</c>; <c>failing</c> (last run failed, timed out, was rejected or interrupted); <c>late</c> (next run overdue by more than <see cref="LateAfter"/>).</summary>
    public static readonly string[] Filters = ["paused", "failing", "late"];

    /// <summary>The sorts: <c>name</c>; <c>next</c> (soonest next run first, none last); <c>status</c> (by last status, none last); <c>lateness</c> (most overdue first).</summary>
    public static readonly string[] Sorts = ["name", "next", "status", "lateness"];

    /// <summary>How far past its next run a schedule must be to count as late (the tick grace).</summary>
    public static readonly TimeSpan LateAfter = TimeSpan.FromSeconds(5);

    /// <summary>The most summaries one page holds.</summary>
    public const int MaxTake = 500;

    /// <summary>Part of the name, any case; null for all.</summary>
    [Id(0)] public string? Search { get; init; }

    /// <summary>One of <see cref="Filters"/>, or null.</summary>
    [Id(1)] public string? Filter { get; init; }

    /// <summary>One of <see cref="Sorts"/>; ties go by name.</summary>
    [Id(2)] public string Sort { get; init; } = "name";

    /// <summary>How many matching schedules to pass over (the page's start).</summary>
    [Id(3)] public int Skip { get; init; }

    /// <summary>How many to return, 1 to <see cref="MaxTake"/>.</summary>
    [Id(4)] public int Take { get; init; } = 50;
}
