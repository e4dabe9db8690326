using NodeDb.Orleans.Grains.Hosting;

namespace NodeDb.Orleans.Grains.Schedules;

/// <summary>
/// The bounds a schedule definition must keep, from <see cref="SchedulerOptions"/>: every change of a schedule's state
/// rewrites its whole definition, so an unbounded body or text would make every claim slower and every row bigger.
/// </summary>
public sealed record DefinitionLimits(int MaxBodyLength, int MaxOwnerLength, int MaxTextOptionLength, TimeSpan MaxTimeout, int MaxRetries, int MaxNoteLength)
{
    /// <summary>The defaults of <see cref="SchedulerOptions"/>.</summary>
    public static DefinitionLimits Default { get; } = Of(new SchedulerOptions());

    public static DefinitionLimits Of(SchedulerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new(options.MaxBodyLength, options.MaxOwnerLength, options.MaxTextOptionLength, options.MaxTimeout, options.MaxRetries, options.MaxNoteLength);
    }
}
