namespace NodeDb.Orleans.Grains.Scheduling;

/// <summary>The per-schedule rules the planner applies, resolved from the definition and the silo defaults.</summary>
/// <param name="Missed">What to do with occurrences older than the current unit plus grace.</param>
/// <param name="Grace">A late tick within this span of an occurrence still counts as on time.</param>
/// <param name="QueueCap">The most missed occurrences <see cref="MissedPolicy.Queue"/> replays.</param>
/// <param name="MissedRowCap">The most individual <c>Missed</c> rows, kept for the most recent occurrences; the older ones collapse into one summary row.</param>
/// <param name="StartAt">No occurrence before this fires.</param>
/// <param name="EndAt">No occurrence after this fires.</param>
public sealed record PlanningRules(
    MissedPolicy Missed,
    TimeSpan Grace,
    int QueueCap = 100,
    int MissedRowCap = 100,
    DateTimeOffset? StartAt = null,
    DateTimeOffset? EndAt = null)
{
    public static PlanningRules Default { get; } = new(MissedPolicy.Skip, TimeSpan.FromSeconds(5));
}
