namespace NodeDb.Orleans;

/// <summary>One schedule, keyed <c>"{tenant}/{name}"</c>. Its single activation is what makes each occurrence fire once.</summary>
[Alias("nodedb.IScheduleGrain")]
public interface IScheduleGrain : IGrainWithStringKey
{
    /// <summary>Creates the schedule, or replaces it when <paramref name="replace"/> is set.</summary>
    /// <remarks>From a client, the definition's owner is replaced by the principal of the presented key (also on update).</remarks>
    /// <exception cref="NodeDbException">Bad cron, zone, body or options (<c>invalid_*</c>, <c>body_rejected</c>); <c>already_exists</c>.</exception>
    [Alias("Create")]
    Task<ScheduleStatus> CreateAsync(ScheduleDefinition definition, bool replace = false);

    /// <summary>Replaces the definition of an existing schedule; its markers and history stay.</summary>
    /// <remarks>Changing the cron or zone re-anchors the marker at the current unit, so the change never triggers a catch-up.</remarks>
    [Alias("Update")]
    Task<ScheduleStatus> UpdateAsync(ScheduleDefinition definition);

    /// <summary>Deletes the schedule, its reminder and its history. Returns false when it did not exist.</summary>
    [Alias("Drop")]
    Task<bool> DropAsync();

    /// <summary>The schedule as it stands, or <see langword="null"/> when it does not exist.</summary>
    [Alias("GetStatus")]
    Task<ScheduleStatus?> GetStatusAsync();

    [Alias("SetEnabled")]
    Task<ScheduleStatus> SetEnabledAsync(bool enabled);

    /// <summary>
    /// Stops firing until resumed, or until <paramref name="resumeAt"/> when given (the schedule then resumes by itself,
    /// and an occurrence at that very instant fires); occurrences due meanwhile are recorded as skipped (paused).
    /// </summary>
    /// <remarks>From a client, <paramref name="by"/> is replaced by the principal of the presented key.</remarks>
    [Alias("Pause")]
    Task<ScheduleStatus> PauseAsync(string by, string? note = null, DateTimeOffset? resumeAt = null);

    [Alias("Resume")]
    Task<ScheduleStatus> ResumeAsync();

    /// <summary>Runs the body now, outside the cron, under the overlap policy. Returns the run id.</summary>
    /// <remarks>From a client, <paramref name="by"/> is replaced by the principal of the presented key.</remarks>
    [Alias("Trigger")]
    Task<string> TriggerAsync(string by);

    /// <summary>Runs every occurrence in <c>[from, to]</c> in order under the overlap policy. Returns how many were queued.</summary>
    /// <param name="from">The first instant of the range, inclusive.</param>
    /// <param name="to">The last instant of the range, inclusive; not in the future.</param>
    /// <param name="by">Who asked, recorded in the silo's log as for <see cref="TriggerAsync"/>; not empty.</param>
    [Alias("BackfillBy")]
    Task<int> BackfillAsync(DateTimeOffset from, DateTimeOffset to, string by);
}
