namespace NodeDb.Orleans.Grains.Schedules;

/// <summary>What <see cref="BulkScheduleWriter"/> did with one definition.</summary>
public sealed record BulkOutcome
{
    /// <summary>Not created here: the caller creates it through its schedule grain (a row exists, or a step failed before any state was written).</summary>
    public static readonly BulkOutcome UseGrain = new();

    private BulkOutcome()
    {
    }

    /// <summary>The created schedule's status, as its grain's create returns it; null unless created.</summary>
    public ScheduleStatus? Status { get; private init; }

    /// <summary>Why it was not created; null when created or left to its grain.</summary>
    public NodeDbException? Error { get; private init; }

    /// <summary>True when the error came before anything of the schedule was written (a refused definition): its name may be given back.</summary>
    public bool NothingWritten { get; private init; }

    public static BulkOutcome Created(ScheduleStatus status) => new() { Status = status };

    public static BulkOutcome Refused(NodeDbException error) => new() { Error = error, NothingWritten = true };

    public static BulkOutcome Failed(NodeDbException error) => new() { Error = error };
}
