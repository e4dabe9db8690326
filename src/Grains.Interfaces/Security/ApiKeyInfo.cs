namespace NodeDb.Orleans.Security;

/// <summary>Everything about an API key except its secret, which is stored only as a hash and shown once at creation.</summary>
[GenerateSerializer, Immutable, Alias("nodedb.ApiKeyInfo")]
public sealed record ApiKeyInfo
{
    /// <summary>The public id, printed by <c>nodedb key list</c> and used to revoke; not a secret.</summary>
    [Id(0)] public required string Id { get; init; }

    /// <summary>The tenant the key acts for, or <see cref="ApiKeyText.ClusterScope"/> for an operator of the whole service.</summary>
    [Id(1)] public required string Scope { get; init; }

    /// <summary>Who the key stands for: the owner of what it creates and the name in history and audit.</summary>
    [Id(2)] public required string Principal { get; init; }

    [Id(3)] public required ApiKeyRole Role { get; init; }

    [Id(4)] public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The principal of the key that created this one (<c>bootstrap</c> for the first cluster-admin key).</summary>
    [Id(5)] public required string CreatedBy { get; init; }

    /// <summary>From this instant on the key is refused; <see langword="null"/> for no expiry.</summary>
    [Id(6)] public DateTimeOffset? ExpiresAt { get; init; }

    [Id(7)] public DateTimeOffset? RevokedAt { get; init; }

    [Id(8)] public string? RevokedBy { get; init; }

    public bool IsClusterScope => Scope == ApiKeyText.ClusterScope;
}
