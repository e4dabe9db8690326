namespace NodeDb.Orleans;

/// <summary>The outcome of one definition of a bulk create (<see cref="ITenantSchedulesGrain.CreateManyAsync"/>).</summary>
/// <remarks>A definition either was created in full (state, index, wake registry and reminder durable) or not at all.</remarks>
[GenerateSerializer, Immutable, Alias("nodedb.BulkCreateResult")]
public sealed record BulkCreateResult
{
    /// <summary>The schedule's name, as given.</summary>
    [Id(0)] public required string Name { get; init; }

    /// <summary>The <see cref="NodeDbException.Code"/> of the refusal (<c>already_exists</c>, <c>invalid_cron</c>…); <see langword="null"/> when created.</summary>
    [Id(1)] public string? ErrorCode { get; init; }

    /// <summary>Why it was refused, naming the value and the reason; <see langword="null"/> when created.</summary>
    [Id(2)] public string? Error { get; init; }

    /// <summary>Whether the schedule was created (or replaced).</summary>
    public bool Created => ErrorCode is null;
}
