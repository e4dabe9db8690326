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
    /// </remarks>
    public static FiringPlan Plan(CronSchedule cron, DateTimeOffset? lastFired, DateTimeOffset now, PlanningRules rules)
    {
        ArgumentNullException.ThrowIfNull(cron);
        ArgumentNullException.ThrowIfNull(rules);
        var unitStart = cron.UnitStart(now);
        var missed = new MissedAccumulator(rules.MissedRowCap);
        var current = ImmutableArray.CreateBuilder<PlannedRun>();
        var queued = new Queue<DateTimeOffset>();
        DateTimeOffset? newest = null;
        DateTimeOffset? catchUpFrom = null;
        DateTimeOffset? catchUpTo = null;
        var catchUpCount = 0;

        foreach (var occurrence in Pending(cron, lastFired, now))
        {
            newest = occurrence;
            if (rules.StartAt is { } start && occurrence < start)
            {
                continue;
            }

            if (rules.EndAt is { } end && occurrence > end)
            {
                break;
            }

            if (occurrence >= unitStart || now - occurrence < rules.Grace)
            {
                current.Add(new PlannedRun(occurrence, RunTrigger.Cron));
                continue;
            }

            switch (rules.Missed)
            {
                case MissedPolicy.CatchUp:
                    catchUpFrom ??= occurrence;
                    catchUpTo = occurrence;
                    catchUpCount++;
                    break;
                case MissedPolicy.Queue:
                    queued.Enqueue(occurrence);
                    if (queued.Count > rules.QueueCap)
                    {
                        missed.Add(queued.Dequeue());
                    }

                    break;
                default:
                    missed.Add(occurrence);
                    break;
            }
        }

        var runs = ImmutableArray.CreateBuilder<PlannedRun>();
        if (catchUpCount > 0)
        {
            runs.Add(new PlannedRun(catchUpTo!.Value, RunTrigger.CatchUp, catchUpFrom, catchUpCount));
        }

        foreach (var occurrence in queued)
        {
            runs.Add(new PlannedRun(occurrence, RunTrigger.Queue));
        }

        runs.AddRange(current);
        var marker = newest ?? (lastFired is null ? unitStart : null);
        return new FiringPlan(runs.ToImmutable(), missed.Rows, missed.Beyond, marker);
    }

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

    /// <summary>
    /// Keeps the most recent <c>rowCap</c> missed occurrences as rows and folds the older ones into one range,
    /// so the rows a user sees are the latest and the summary lies entirely before them.
    /// </summary>
    private sealed class MissedAccumulator(int rowCap)
    {
        private readonly Queue<DateTimeOffset> _rows = new();
        private DateTimeOffset? _beyondFrom;
        private DateTimeOffset _beyondTo;
        private int _beyondCount;

        public ImmutableArray<DateTimeOffset> Rows => [.. _rows];

        public MissedRange? Beyond => _beyondCount == 0 ? null : new MissedRange(_beyondFrom!.Value, _beyondTo, _beyondCount);

        /// <summary>Adds an occurrence; callers add in chronological order.</summary>
        public void Add(DateTimeOffset occurrence)
        {
            _rows.Enqueue(occurrence);
            if (_rows.Count <= rowCap)
            {
                return;
            }

            var evicted = _rows.Dequeue();
            _beyondFrom ??= evicted;
            _beyondTo = evicted;
            _beyondCount++;
        }
    }
}
