using Cronos;

namespace NodeDb.Orleans.Grains.Scheduling;

/// <summary>A validated cron expression read in a zone. Pure: every method takes the instants it needs.</summary>
/// <remarks>
/// All arithmetic is on UTC instants. DST follows Cronos: a time in the spring gap moves to the first
/// valid instant after it; in the autumn overlap, fixed-time expressions fire once and interval
/// expressions fire in both copies of the repeated hour.
/// </remarks>
public sealed partial class CronSchedule
{
    private readonly CronExpression _expression;

    private CronSchedule(string text, CronExpression expression, CronUnit unit, ScheduleZone zone)
    {
        Text = text;
        _expression = expression;
        Unit = unit;
        Zone = zone;
    }

    /// <summary>The expression as written.</summary>
    public string Text { get; }

    public CronUnit Unit { get; }

    public ScheduleZone Zone { get; }

    /// <summary>The span of one unit: a minute or a second.</summary>
    public TimeSpan UnitLength => Unit == CronUnit.Second ? TimeSpan.FromSeconds(1) : TimeSpan.FromMinutes(1);

    /// <summary>Parses a Cronos expression: five fields, six with leading seconds, or a macro such as <c>@hourly</c>.</summary>
    /// <exception cref="NodeDbException">Code <c>invalid_cron</c>, quoting the expression and Cronos' reason.</exception>
    public static CronSchedule Parse(string expression, ScheduleZone zone)
    {
        ArgumentNullException.ThrowIfNull(expression);
        ArgumentNullException.ThrowIfNull(zone);
        var text = expression.Trim();
        if (text.Length == 0)
        {
            throw new NodeDbException(ErrorCodes.InvalidCron, "Cron expression '' is invalid: it is empty.");
        }

        var unit = CronUnit.Minute;
        var format = CronFormat.Standard;
        if (text.StartsWith('@'))
        {
            if (string.Equals(text, "@every_second", StringComparison.OrdinalIgnoreCase))
            {
                unit = CronUnit.Second;
                format = CronFormat.IncludeSeconds;
            }
        }
        else
        {
            var fields = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
            switch (fields)
            {
                case 5:
                    break;
                case 6:
                    unit = CronUnit.Second;
                    format = CronFormat.IncludeSeconds;
                    break;
                default:
                    throw new NodeDbException(
                        ErrorCodes.InvalidCron,
                        $"Cron expression '{expression}' is invalid: it has {fields} fields; use 5 (minute hour day-of-month month day-of-week) or 6 with leading seconds.");
            }
        }

        try
        {
            return new CronSchedule(text, CronExpression.Parse(text, format), unit, zone);
        }
        catch (CronFormatException e)
        {
            throw new NodeDbException(ErrorCodes.InvalidCron, $"Cron expression '{expression}' is invalid: {e.Message}");
        }
    }

    /// <summary>Parses an expression and a zone text (null for <paramref name="defaultZone"/>).</summary>
    public static CronSchedule Parse(string expression, string? zone, ScheduleZone defaultZone) =>
        Parse(expression, zone is null ? defaultZone : ScheduleZone.Parse(zone));

    /// <summary>The start of the unit that contains <paramref name="instant"/>.</summary>
    public DateTimeOffset UnitStart(DateTimeOffset instant)
    {
        var utc = instant.ToUniversalTime();
        var ticks = UnitLength.Ticks;
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % ticks), TimeSpan.Zero);
    }

    /// <summary>The first occurrence strictly after <paramref name="after"/>, in UTC; null when the expression never matches again.</summary>
    public DateTimeOffset? NextAfter(DateTimeOffset after)
    {
        var utc = after.ToUniversalTime();
        if (Zone.FixedOffset is { } offset)
        {
            var shifted = _expression.GetNextOccurrence(utc.UtcDateTime + offset, inclusive: false);
            return shifted is null ? null : new DateTimeOffset(DateTime.SpecifyKind(shifted.Value - offset, DateTimeKind.Utc));
        }

        var next = _expression.GetNextOccurrence(utc, Zone.Zone!, inclusive: false);
        return next?.ToUniversalTime();
    }

    /// <summary>
    /// Occurrences in <c>(from, to]</c> (or <c>[from, to]</c> when <paramref name="fromInclusive"/>), in order, as UTC instants.
    /// Lazy: a long range costs only what the caller enumerates.
    /// </summary>
    public IEnumerable<DateTimeOffset> Between(DateTimeOffset from, DateTimeOffset to, bool fromInclusive)
    {
        var start = from.ToUniversalTime();
        var end = to.ToUniversalTime();
        if (end < start)
        {
            yield break;
        }

        if (Zone.FixedOffset is { } offset)
        {
            foreach (var shifted in _expression.GetOccurrences(
                         start.UtcDateTime + offset, end.UtcDateTime + offset, fromInclusive, toInclusive: true))
            {
                yield return new DateTimeOffset(DateTime.SpecifyKind(shifted - offset, DateTimeKind.Utc));
            }

            yield break;
        }

        foreach (var occurrence in _expression.GetOccurrences(start, end, Zone.Zone!, fromInclusive, toInclusive: true))
        {
            yield return occurrence.ToUniversalTime();
        }
    }

    /// <summary>The next <paramref name="count"/> occurrences after <paramref name="after"/>, shown in the schedule's zone.</summary>
    public IReadOnlyList<DateTimeOffset> Next(DateTimeOffset after, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var result = new List<DateTimeOffset>(count);
        var cursor = after;
        while (result.Count < count && NextAfter(cursor) is { } next)
        {
            result.Add(Zone.ToLocal(next));
            cursor = next;
        }

        return result;
    }
}
