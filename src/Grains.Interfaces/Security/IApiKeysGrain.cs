using System.Collections.Immutable;

namespace NodeDb.Orleans.Security;

/// <summary>
/// The API keys of one scope, keyed by tenant (or <see cref="ApiKeyText.ClusterScope"/> for cluster-scope keys).
/// Callable by an admin key of that tenant, or a cluster-scope admin key.
/// </summary>
/// <remarks>
/// Who creates or revokes a key is taken from the calling key, never from an argument. A revocation is effective at
/// once on the silo holding this grain and on every other silo within the key cache lifetime
/// (<c>Security:KeyCacheTtl</c>, 5 s by default).
/// </remarks>
[Alias("nodedb.IApiKeysGrain")]
public interface IApiKeysGrain : IGrainWithStringKey
{
    /// <summary>Creates a key. The returned <see cref="NewApiKey.Key"/> is the only copy of the secret.</summary>
    /// <param name="principal">Who the key stands for: 1 to 64 letters, digits, '.', '_', '-' or '@'.</param>
    /// <param name="role">What it may do within the scope.</param>
    /// <param name="expiresAt">When it stops working; <see langword="null"/> for never. Must lie in the future.</param>
    /// <exception cref="NodeDbException"><c>invalid_definition</c> for a bad principal or expiry.</exception>
    [Alias("Create")]
    Task<NewApiKey> CreateAsync(string principal, ApiKeyRole role, DateTimeOffset? expiresAt);

    /// <summary>Every key of the scope, revoked and expired ones included, oldest first.</summary>
    [Alias("List")]
    Task<ImmutableArray<ApiKeyInfo>> ListAsync();

    /// <summary>Revokes a key; revoking a revoked key changes nothing.</summary>
    /// <exception cref="NodeDbException"><c>not_found</c> when the scope has no key with that id.</exception>
    [Alias("Revoke")]
    Task<ApiKeyInfo> RevokeAsync(string id);

    /// <summary>
    /// Who the presented key stands for (any role of the scope, or a cluster-scope key): how a client such as the web
    /// dashboard checks a key at sign-in and learns which actions to offer. It decides nothing: every call is still
    /// checked by the silo.
    /// </summary>
    /// <param name="caller">From a client, replaced by the silo with the identity of the presented key; whatever a client sends is ignored.</param>
    [Alias("WhoAmI")]
    Task<KeyIdentity> WhoAmIAsync(KeyIdentity? caller = null);
}
