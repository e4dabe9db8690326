namespace NodeDb.Orleans.Security;

/// <summary>Who a presented key stands for, as the silo's filter established it: what a client shows its user ("signed in as").</summary>
[GenerateSerializer, Immutable, Alias("nodedb.KeyIdentity")]
public sealed record KeyIdentity
{
    [Id(0)] public required string Principal { get; init; }

    [Id(1)] public required string KeyId { get; init; }

    /// <summary>The key's tenant, or <see cref="ApiKeyText.ClusterScope"/>.</summary>
    [Id(2)] public required string Scope { get; init; }

    [Id(3)] public required ApiKeyRole Role { get; init; }
}
