using System.Collections.Immutable;
using NodeDb.Orleans.Grains.Scheduling;

namespace NodeDb.Orleans.Benchmarks.Planning;

/// <summary>
/// The planner as it was before issue 14, walking every pending occurrence one by one: the baseline of the P1
/// row, and the oracle of the pure tests. Its cost follows the gap, which is why the product no longer uses it,
/// but its answer is right by construction, so <see cref="OccurrencePlanner.Plan"/> must give exactly its plan.
/// </summary>
public static class WalkingPlanner
{
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

        foreach (var occurrence in OccurrencePlanner.Pending(cron, lastFired, now))
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
