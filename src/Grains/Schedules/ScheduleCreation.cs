using NodeDb.Orleans.Grains.Hosting;
using NodeDb.Orleans.Grains.Scheduling;

namespace NodeDb.Orleans.Grains.Schedules;

/// <summary>
/// What a CREATE stores, computed in one place for the two writers of a new schedule: its grain
/// (<c>ScheduleGrain.CreateAsync</c>) and the bulk writer (<see cref="BulkScheduleWriter"/>), which stores the state of
/// schedules whose grain is not active. A schedule created either way must be the same schedule.
/// </summary>
internal static class ScheduleCreation
{
    /// <summary>The schedule grain's state name (its <c>[PersistentState]</c>), which the bulk writer writes too.</summary>
    public const string StateName = "schedule";

    /// <summary>The schedule grain's reminder, which the bulk writer registers too.</summary>
    public const string ReminderName = "nodedb-wake";

    /// <summary>How occurrences of <paramref name="definition"/> are planned under <paramref name="options"/>.</summary>
    public static PlanningRules Rules(ScheduleDefinition definition, SchedulerOptions options) => new(
        definition.Missed,
        options.Grace,
        definition.QueueCap ?? options.DefaultQueueCap,
        options.MissedRowCap,
        definition.StartAt,
        definition.EndAt);

    /// <summary>
    /// The create's first observation: the marker a tick at <paramref name="now"/> would write, unless the current unit holds
    /// an occurrence (then the tick fires it: the schedule is due now). Null for a disabled schedule.
    /// </summary>
    public static DateTimeOffset? FirstObservation(ScheduleDefinition definition, CronSchedule cron, DateTimeOffset now, PlanningRules rules)
    {
        if (!definition.Enabled)
        {
            return null;
        }

        var plan = OccurrencePlanner.Plan(cron, lastFired: null, now, rules);
        return plan is { Runs.IsEmpty: true, MissedCount: 0 } ? plan.Marker : null;
    }

    /// <summary>The state a create writes: <paramref name="generation"/> is one more than the stored one (1 for a new name).</summary>
    public static ScheduleState State(ScheduleDefinition definition, DateTimeOffset? marker, DateTimeOffset now, long generation) => new()
    {
        Generation = generation,
        CreatedAt = now,
        Definition = definition,
        LastFired = marker,
        UpdatedAt = now,
    };
}
