namespace NodeDb.Orleans.Grains.Scheduling;

/// <summary>A run the planner decided to start.</summary>
/// <param name="ScheduledAt">The occurrence; for a catch-up run, the last one covered.</param>
/// <param name="Trigger">Cron (on time), CatchUp or Queue.</param>
/// <param name="CoversFrom">For a catch-up run, the first occurrence covered.</param>
/// <param name="Count">How many occurrences the run stands for.</param>
public sealed record PlannedRun(DateTimeOffset ScheduledAt, RunTrigger Trigger, DateTimeOffset? CoversFrom = null, int Count = 1);
