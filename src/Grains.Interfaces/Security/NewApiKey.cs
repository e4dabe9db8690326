namespace NodeDb.Orleans.Security;

/// <summary>A key just created: its record and the only copy of its secret text.</summary>
[GenerateSerializer, Immutable, Alias("nodedb.NewApiKey")]
public sealed record NewApiKey(
    [property: Id(0)] ApiKeyInfo Info,
    [property: Id(1)] string Key);
