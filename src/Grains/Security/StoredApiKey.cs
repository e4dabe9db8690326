namespace NodeDb.Orleans.Grains.Security;

/// <summary>A key's record and the SHA-256 of its secret: all the cluster keeps of a key.</summary>
[GenerateSerializer, Immutable, Alias("nodedb.StoredApiKey")]
public sealed record StoredApiKey(
    [property: Id(0)] ApiKeyInfo Info,
    [property: Id(1)] string SecretHash);
