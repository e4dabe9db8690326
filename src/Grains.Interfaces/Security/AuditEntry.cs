namespace NodeDb.Orleans.Security;

/// <summary>One accepted mutation or one refusal, as recorded in a tenant's audit log.</summary>
[GenerateSerializer, Immutable, Alias("nodedb.AuditEntry")]
public sealed record AuditEntry
{
    /// <summary>When the silo decided (its clock).</summary>
    [Id(0)] public required DateTimeOffset At { get; init; }

    /// <summary>The key's principal, or <see langword="null"/> when no valid key was presented.</summary>
    [Id(1)] public string? Principal { get; init; }

    /// <summary>The key's public id, when one was presented and well-formed.</summary>
    [Id(2)] public string? KeyId { get; init; }

    /// <summary>What was called: <c>Interface.Method</c>.</summary>
    [Id(3)] public required string Action { get; init; }

    /// <summary>The grain it targeted (its key: a schedule, a tenant, a group).</summary>
    [Id(4)] public required string Target { get; init; }

    /// <summary>The client's network address as the gateway saw it, when known.</summary>
    [Id(5)] public string? ClientAddress { get; init; }

    /// <summary><c>accepted</c>, or the error code of the refusal (<c>unauthenticated</c>, <c>permission_denied</c>).</summary>
    [Id(6)] public required string Outcome { get; init; }

    /// <summary>The rule that refused, in words; empty for accepted calls.</summary>
    [Id(7)] public string? Detail { get; init; }
}
