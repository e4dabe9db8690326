namespace NodeDb.Orleans.Grains.Security;

/// <summary>The persisted keys of one scope, by id.</summary>
[GenerateSerializer, Alias("nodedb.ApiKeysState")]
public sealed class ApiKeysState
{
    [Id(0)] public Dictionary<string, StoredApiKey> Keys { get; set; } = new(StringComparer.Ordinal);
}
