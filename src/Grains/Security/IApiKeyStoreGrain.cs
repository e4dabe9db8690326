namespace NodeDb.Orleans.Grains.Security;

/// <summary>The silo's side of <see cref="IApiKeysGrain"/>: lookups for the call filter and the bootstrap key. Internal: refused to clients.</summary>
[Alias("nodedb.IApiKeyStoreGrain")]
public interface IApiKeyStoreGrain : IGrainWithStringKey
{
    /// <summary>The key with this id, or null. Interleaves: the filter may ask while the same grain serves a client call.</summary>
    [Alias("Find"), global::Orleans.Concurrency.AlwaysInterleave]
    Task<StoredApiKey?> FindAsync(string id);

    /// <summary>Registers the bootstrap key unless a key with its id exists; returns the stored record.</summary>
    [Alias("EnsureBootstrap")]
    Task<StoredApiKey> EnsureBootstrapAsync(string id, string secretHash);
}
