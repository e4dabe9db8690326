using Cronos;

namespace NodeDb.Orleans.Grains.Scheduling;

/// <summary>
/// Counting and the newest occurrences of a range without walking it, so that planning after a long outage costs
/// what the plan writes, not the length of the gap.
/// </summary>
/// <remarks>
/// In a constant UTC offset a cron's time fields (second, minute, hour) do not depend on its date fields, so every
/// matching day holds the same number of occurrences, every matching hour of a matching day the same, and so on
/// down to the minute. <see cref="LocalCounter"/> counts a range from that: whole days, hours and minutes are
/// found by jumping to the next occurrence and counted with the per-block figure measured once; only the partial
/// blocks at the ends, at most a minute each at the bottom, are enumerated. A zone with DST is cut into stretches
/// of constant offset; a stretch within <see cref="TransitionMargin"/> of a transition (where Cronos moves an
/// occurrence out of the spring gap or fires a fixed time once in the autumn overlap) is enumerated instead. That
/// relies on no zone changing its offset twice within a day and a half, which holds for every zone in tzdata.
/// </remarks>
public sealed partial class CronSchedule
{
    /// <summary>Wider than any DST shift in tzdata (Troll station's two hours), so a shifted or repeated local time near a transition is enumerated.</summary>
    private static readonly TimeSpan TransitionMargin = TimeSpan.FromHours(3);

    /// <summary>The number of occurrences in the half-open range <c>[from, to)</c>.</summary>
    /// <remarks>Costs a few cron look-ups per day of the range and at most a minute of enumeration at each end, whatever the cron's density.</remarks>
    public long Count(DateTimeOffset from, DateTimeOffset to)
    {
        var start = from.ToUniversalTime();
        var end = to.ToUniversalTime();
        if (end <= start)
        {
            return 0;
        }

        if (Zone.FixedOffset is { } offset)
        {
            return new LocalCounter(_expression).Count(Shift(start, offset), Shift(end, offset));
        }

        var zone = Zone.Zone!;
        var counter = new LocalCounter(_expression);
        long total = 0;
        var cursor = start;
        while (cursor < end)
        {
            var blockEnd = end - cursor > TimeSpan.FromDays(1) ? cursor + TimeSpan.FromDays(1) : end;
            var before = zone.GetUtcOffset(SafeAdd(cursor, -TransitionMargin));
            if (zone.GetUtcOffset(SafeAdd(blockEnd, TransitionMargin)) == before)
            {
                total += counter.Count(Shift(cursor, before), Shift(blockEnd, before));
                cursor = blockEnd;
                continue;
            }

            var transition = FindTransition(zone, SafeAdd(cursor, -TransitionMargin), SafeAdd(blockEnd, TransitionMargin), before);
            var steady = transition - TransitionMargin;
            if (steady > cursor)
            {
                // [cursor − margin, transition) has one offset, so [cursor, transition − margin) counts like a fixed one.
                var stop = steady < blockEnd ? steady : blockEnd;
                total += counter.Count(Shift(cursor, before), Shift(stop, before));
                cursor = stop;
                continue;
            }

            var near = transition + TransitionMargin < end ? transition + TransitionMargin : end;
            total += InRange(cursor, near).LongCount();
            cursor = near;
        }

        return total;
    }

    /// <summary>The newest <paramref name="count"/> occurrences in <c>[from, to)</c>, oldest first (fewer when the range holds fewer).</summary>
    /// <remarks>Finds where they start by counting (a doubling window, then bisection), then enumerates only them.</remarks>
    public IReadOnlyList<DateTimeOffset> Newest(DateTimeOffset from, DateTimeOffset to, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count == 0 || to <= from)
        {
            return [];
        }

        // Widen a window back from 'to' until it holds enough occurrences or reaches 'from'.
        var width = UnitLength * count;
        var low = to - from > width ? to - width : from;
        var lowCount = Count(low, to);
        var high = to;
        while (lowCount < count && low > from)
        {
            high = low;
            width += width;
            low = to - from > width ? to - width : from;
            lowCount = Count(low, to);
        }

        if (lowCount > count)
        {
            // Count(low, to) ≥ count > Count(high, to): bisect to a second, then the window holds count or one more.
            while (high - low > TimeSpan.FromSeconds(1))
            {
                var middle = low + ((high - low) / 2);
                if (Count(middle, to) >= count)
                {
                    low = middle;
                }
                else
                {
                    high = middle;
                }
            }
        }

        var newest = InRange(low, to).ToList();
        return newest.Count > count ? newest.GetRange(newest.Count - count, count) : newest;
    }

    /// <summary>Occurrences in the half-open range <c>[from, to)</c>, in order.</summary>
    public IEnumerable<DateTimeOffset> InRange(DateTimeOffset from, DateTimeOffset to) =>
        to <= from ? [] : Between(from, to - TimeSpan.FromTicks(1), fromInclusive: true);

    /// <summary>The first instant after <paramref name="low"/> whose offset differs from <paramref name="offset"/>, to the second.</summary>
    private static DateTimeOffset FindTransition(TimeZoneInfo zone, DateTimeOffset low, DateTimeOffset high, TimeSpan offset)
    {
        while (high - low > TimeSpan.FromSeconds(1))
        {
            var middle = low + ((high - low) / 2);
            if (zone.GetUtcOffset(middle) == offset)
            {
                low = middle;
            }
            else
            {
                high = middle;
            }
        }

        return high;
    }

    private static DateTimeOffset SafeAdd(DateTimeOffset instant, TimeSpan span) =>
        span < TimeSpan.Zero
            ? instant - DateTimeOffset.MinValue < -span ? DateTimeOffset.MinValue : instant + span
            : DateTimeOffset.MaxValue - instant < span ? DateTimeOffset.MaxValue : instant + span;

    /// <summary>Wall-clock time at <paramref name="offset"/>, carried as a UTC-kind value the way Cronos evaluates fixed offsets.</summary>
    private static DateTime Shift(DateTimeOffset utc, TimeSpan offset) => DateTime.SpecifyKind(utc.UtcDateTime + offset, DateTimeKind.Utc);

    /// <summary>Counts a cron in one constant offset (wall-clock instants as UTC-kind values), block by block.</summary>
    private sealed class LocalCounter(CronExpression expression)
    {
        private static readonly long[] BlockTicks = [TimeSpan.TicksPerDay, TimeSpan.TicksPerHour, TimeSpan.TicksPerMinute];
        private readonly long?[] _perBlock = new long?[BlockTicks.Length];

        /// <summary>Occurrences in <c>[from, to)</c>.</summary>
        public long Count(DateTime from, DateTime to) => Count(from, to, 0);

        private long Count(DateTime from, DateTime to, int level)
        {
            if (to <= from)
            {
                return 0;
            }

            if (level == BlockTicks.Length)
            {
                // At most a minute: enumerate.
                return expression.GetOccurrences(from, to, fromInclusive: true, toInclusive: false).LongCount();
            }

            var size = BlockTicks[level];
            var firstWhole = Utc((from.Ticks + size - 1) / size * size);
            var lastWhole = Utc(to.Ticks / size * size);
            if (firstWhole >= lastWhole)
            {
                return Count(from, to, level + 1);
            }

            return Count(from, firstWhole, level + 1) + Whole(firstWhole, lastWhole, level) + Count(lastWhole, to, level + 1);
        }

        /// <summary>Whole blocks of <paramref name="level"/>: jump from one block holding an occurrence to the next.</summary>
        private long Whole(DateTime from, DateTime to, int level)
        {
            var size = BlockTicks[level];
            long total = 0;
            var cursor = from;
            while (cursor < to && expression.GetNextOccurrence(cursor, inclusive: true) is { } next && next < to)
            {
                var block = Utc(next.Ticks / size * size);
                total += _perBlock[level] ??= Count(block, block.AddTicks(size), level + 1);
                cursor = block.AddTicks(size);
            }

            return total;
        }

        private static DateTime Utc(long ticks) => new(ticks, DateTimeKind.Utc);
    }
}
