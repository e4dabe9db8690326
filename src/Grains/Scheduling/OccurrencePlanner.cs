using System.Collections.Immutable;

namespace NodeDb.Orleans.Grains.Scheduling;

/// <summary>
/// The seed contract of NodeDB's <c>pending_minute_ticks</c>, generalised to the expression's unit, and the missed policies.
/// Pure: <c>now</c> is a parameter, nothing here reads a clock or touches Orleans.
/// </summary>
public static class OccurrencePlanner
{
    /// <summary>
    /// NodeDB's contract: never fired → only the current unit; last fired at L → every occurrence in <c>(L, now]</c>.
    /// A second observation inside an already-fired unit returns nothing.
    /// </summary>
    public static IEnumerable<DateTimeOffset> Pending(CronSchedule cron, DateTimeOffset? lastFired, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(cron);
        return lastFired is { } last
            ? cron.Between(last, now, fromInclusive: false)
            : cron.Between(cron.UnitStart(now), now, fromInclusive: true);
    }

    /// <summary>Decides what an observation at <paramref name="now"/> fires and records.</summary>
    /// <remarks>
    /// The first observation advances the marker even when nothing matches, so a schedule whose cron never
    /// matches cannot fall into an unbounded catch-up later. Later observations move the marker only to an
    /// occurrence, so an idle schedule is never written.
    /// <para>
    /// The work is bounded by what the plan holds, not by the length of the gap: the missed occurrences are
    /// counted (<see cref="CronSchedule.Count"/>) and only those that become runs or rows (the queue cap and the
    /// row cap) are enumerated, so thirty days of an every-second schedule cost what thirty seconds do. The result
    /// is the one a walk over every pending occurrence gives (the pure tests hold the two side by side).
    /// </para>
    /// </remarks>
    public static FiringPlan Plan(CronSchedule cron, DateTimeOffset? lastFired, DateTimeOffset now, PlanningRules rules)
    {
        ArgumentNullException.ThrowIfNull(cron);
        ArgumentNullException.ThrowIfNull(rules);
        var unitStart = cron.UnitStart(now);

        // Everything below is a half-open range [from, to) of UTC instants; occurrences fall on whole seconds.
        var pendingFrom = lastFired is { } last ? After(last) : unitStart;
        var pendingTo = After(now);

        // An occurrence older than the current unit and at least the grace old is missed; the rest run on time.
        var missedBound = Min(unitStart, After(now - rules.Grace));
        var from = rules.StartAt is { } start ? Max(pendingFrom, start) : pendingFrom;
        var to = rules.EndAt is { } end ? Min(pendingTo, After(end)) : pendingTo;

        var current = cron.InRange(Max(from, missedBound), to).Select(o => new PlannedRun(o, RunTrigger.Cron));
        var missedTo = Min(to, missedBound);
        var missedCount = from < missedTo ? cron.Count(from, missedTo) : 0;

        var runs = ImmutableArray.CreateBuilder<PlannedRun>();
        var rows = ImmutableArray<DateTimeOffset>.Empty;
        MissedRange? beyond = null;
        if (missedCount > 0)
        {
            switch (rules.Missed)
            {
                case MissedPolicy.CatchUp:
                    var first = cron.InRange(from, missedTo).First();
                    var lastMissed = cron.Newest(from, missedTo, 1)[0];
                    runs.Add(new PlannedRun(lastMissed, RunTrigger.CatchUp, first, checked((int)missedCount)));
                    break;
                default:
                    var queueCap = rules.Missed == MissedPolicy.Queue ? Math.Max(0, rules.QueueCap) : 0;
                    var rowCap = Math.Max(0, rules.MissedRowCap);
                    var queued = (int)Math.Min(missedCount, queueCap);
                    var rowCount = (int)Math.Min(missedCount - queued, rowCap);
                    var beyondCount = missedCount - queued - rowCount;

                    // One more than the rows and the queue: the newest occurrence of the summary range, its end.
                    var newest = cron.Newest(from, missedTo, queued + rowCount + (beyondCount > 0 ? 1 : 0));
                    var skip = newest.Count - queued - rowCount;
                    rows = [.. newest.Skip(skip).Take(rowCount)];
                    runs.AddRange(newest.Skip(skip + rowCount).Select(o => new PlannedRun(o, RunTrigger.Queue)));
                    if (beyondCount > 0)
                    {
                        beyond = new MissedRange(cron.InRange(from, missedTo).First(), newest[0], checked((int)beyondCount));
                    }

                    break;
            }
        }

        runs.AddRange(current);
        var marker = NewestPending(cron, pendingFrom, pendingTo, rules) ?? (lastFired is null ? unitStart : null);
        return new FiringPlan(runs.ToImmutable(), rows, beyond, marker);
    }

    /// <summary>
    /// The marker an observation leaves: the newest pending occurrence, or, past the end, the first occurrence
    /// after it not before the start (the one at which a walk over the pending occurrences stops).
    /// </summary>
    private static DateTimeOffset? NewestPending(
        CronSchedule cron, DateTimeOffset pendingFrom, DateTimeOffset pendingTo, PlanningRules rules)
    {
        if (rules.EndAt is { } end && end < pendingTo)
        {
            var floor = Max(end, pendingFrom - TimeSpan.FromTicks(1));
            if (rules.StartAt is { } start && start > floor)
            {
                floor = start - TimeSpan.FromTicks(1);
            }

            var pastEnd = cron.NextAfter(floor);
            if (pastEnd is { } stop && stop < pendingTo)
            {
                return stop;
            }
        }

        var newest = cron.Newest(pendingFrom, pendingTo, 1);
        return newest.Count == 0 ? null : newest[0];
    }

    /// <summary>The half-open bound just after an instant, saturating at the end of time.</summary>
    private static DateTimeOffset After(DateTimeOffset instant) =>
        instant == DateTimeOffset.MaxValue ? instant : instant + TimeSpan.FromTicks(1);

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    /// <summary>
    /// The instant the schedule next needs attention: now when it has never been observed or an occurrence is
    /// already pending, else its next occurrence; null when none will come (ended, or a cron that never matches).
    /// </summary>
    public static DateTimeOffset? NextDue(CronSchedule cron, DateTimeOffset? lastFired, DateTimeOffset now, PlanningRules rules)
    {
        ArgumentNullException.ThrowIfNull(cron);
        ArgumentNullException.ThrowIfNull(rules);
        if (lastFired is not { } anchor)
        {
            return now;
        }

        if (rules.StartAt is { } start && start > anchor)
        {
            anchor = start - TimeSpan.FromTicks(1);
        }

        var next = cron.NextAfter(anchor);
        if (next is null || (rules.EndAt is { } end && next > end))
        {
            return null;
        }

        return next;
    }
}
