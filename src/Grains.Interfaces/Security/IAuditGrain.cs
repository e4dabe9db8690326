using System.Collections.Immutable;

namespace NodeDb.Orleans.Security;

/// <summary>
/// The audit log of one tenant (or of <see cref="ApiKeyText.ClusterScope"/>): every accepted mutation and every refusal.
/// Readable by an admin key of the tenant or a cluster-scope admin key.
/// </summary>
/// <remarks>Bounded: entries older than <c>Security:AuditRetention</c> or beyond <c>Security:AuditMaxEntries</c> are dropped, oldest first.</remarks>
[Alias("nodedb.IAuditGrain")]
public interface IAuditGrain : IGrainWithStringKey
{
    /// <summary>The newest entries first, at most <paramref name="limit"/> (1 to 10,000).</summary>
    [Alias("Query")]
    Task<ImmutableArray<AuditEntry>> QueryAsync(int limit);
}
