namespace NodeDb.Orleans;

/// <summary>Who paused a schedule, when, why, and when it resumes by itself (null: only when someone resumes it).</summary>
[GenerateSerializer, Immutable, Alias("nodedb.PauseInfo")]
public sealed record PauseInfo(
    [property: Id(0)] string By,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] string? Note,
    [property: Id(3)] DateTimeOffset? ResumeAt = null);
