namespace NodeDb.Orleans;

/// <summary>One row of a schedule's history: a run, or an occurrence that did not run and why.</summary>
/// <remarks>Appending the same <see cref="RunId"/> twice keeps one row (the later write wins).</remarks>
[GenerateSerializer, Immutable, Alias("nodedb.RunRecord")]
public sealed record RunRecord
{
    [Id(0)] public required string RunId { get; init; }

    [Id(1)] public required string Tenant { get; init; }

    [Id(2)] public required string Schedule { get; init; }

    [Id(3)] public RunStatus Status { get; init; }

    [Id(4)] public RunTrigger Trigger { get; init; }

    /// <summary>The occurrence this row is about; for a catch-up run or a missed summary, the last one covered.</summary>
    [Id(5)] public DateTimeOffset? ScheduledAt { get; init; }

    /// <summary>For rows that stand for a range (catch-up run, missed summary): the first occurrence covered.</summary>
    [Id(6)] public DateTimeOffset? CoversFrom { get; init; }

    /// <summary>How many occurrences the row stands for.</summary>
    [Id(7)] public int Count { get; init; } = 1;

    [Id(8)] public DateTimeOffset? StartedAt { get; init; }

    [Id(9)] public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Why a run did not happen or ended as it did (overlap, unhealthy group, paused, recovered…).</summary>
    [Id(10)] public string? Reason { get; init; }

    /// <summary>The error of the last attempt, for failed and timed-out runs.</summary>
    [Id(11)] public string? Error { get; init; }

    /// <summary>The attempt that produced the outcome (1 for the first); 0 for occurrences that never ran.</summary>
    [Id(12)] public int Attempt { get; init; }

    [Id(13)] public string? Silo { get; init; }

    [Id(14)] public string Owner { get; init; } = "";

    /// <summary>When the row was written; orders history newest first.</summary>
    [Id(15)] public DateTimeOffset RecordedAt { get; init; }

    public TimeSpan? Duration => StartedAt is { } s && FinishedAt is { } f ? f - s : null;
}
