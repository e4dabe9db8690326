namespace NodeDb.Orleans.Grains.Ddl;

/// <summary>The <c>WITH (…)</c> options of CREATE SCHEDULE or ALTER SCHEDULE; null means "not given".</summary>
public sealed record ScheduleOptions
{
    /// <summary>No option given.</summary>
    public static ScheduleOptions None { get; } = new();

    /// <summary>From <c>OVERLAP = …</c> or <c>ALLOW_OVERLAP = true|false</c>.</summary>
    public OverlapPolicy? Overlap { get; init; }

    /// <summary>From <c>MISSED = SKIP|CATCH_UP|QUEUE</c>.</summary>
    public MissedPolicy? Missed { get; init; }

    /// <summary>From <c>QUEUE_CAP = n</c> (at least 1).</summary>
    public int? QueueCap { get; init; }

    /// <summary>From <c>TIMEOUT = '&lt;duration&gt;'</c> (positive).</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>From <c>RETRIES = n</c> (0 or more).</summary>
    public int? Retries { get; init; }

    /// <summary>From <c>TARGET = collection</c>: unquoted lower-cased, quoted kept exactly.</summary>
    public string? Target { get; init; }

    /// <summary>From <c>START = '&lt;instant&gt;'</c>, in UTC.</summary>
    public DateTimeOffset? StartAt { get; init; }

    /// <summary>From <c>END = '&lt;instant&gt;'</c>, in UTC.</summary>
    public DateTimeOffset? EndAt { get; init; }

    /// <summary>Returns <paramref name="definition"/> with every given option set and the others left as they are.</summary>
    public ScheduleDefinition ApplyTo(ScheduleDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return definition with
        {
            Overlap = Overlap ?? definition.Overlap,
            Missed = Missed ?? definition.Missed,
            QueueCap = QueueCap ?? definition.QueueCap,
            Timeout = Timeout ?? definition.Timeout,
            Retries = Retries ?? definition.Retries,
            Target = Target ?? definition.Target,
            StartAt = StartAt ?? definition.StartAt,
            EndAt = EndAt ?? definition.EndAt,
        };
    }
}
