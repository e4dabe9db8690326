namespace NodeDb.Orleans.Grains.Security;

/// <summary>Keys, the cluster-internal secret and the audit bounds. Bound from the <c>Security</c> section.</summary>
/// <remarks>
/// Every silo of a cluster needs the same <see cref="ClusterSecret"/> and <see cref="BootstrapKey"/>: give the values
/// (the azure profile: configuration or environment, <c>Security__ClusterSecret</c>, <c>Security__BootstrapKey</c>) or
/// files that are created on first start with 0600 permissions (the embedded profile: in the data directory).
/// </remarks>
public sealed class SecurityOptions
{
    public const string SectionName = "Security";

    /// <summary>The secret that marks calls made by the silos themselves; at least 32 characters. Never give it to a client.</summary>
    public string? ClusterSecret { get; set; }

    /// <summary>A file holding <see cref="ClusterSecret"/>; created with a random secret (mode 0600) when absent.</summary>
    public string? ClusterSecretFile { get; set; }

    /// <summary>The first cluster-admin key (<c>ndb._cluster.{id}.{secret}</c>), registered at start when the cluster does not know it.</summary>
    public string? BootstrapKey { get; set; }

    /// <summary>A file holding <see cref="BootstrapKey"/>; created with a new key (mode 0600) when absent.</summary>
    public string? BootstrapKeyFile { get; set; }

    /// <summary>How long a silo trusts a key record it read; a revocation takes effect on every silo within this time. Defaults to 5 s.</summary>
    public TimeSpan KeyCacheTtl { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Audit entries older than this are dropped. Defaults to 90 days.</summary>
    public TimeSpan AuditRetention { get; set; } = TimeSpan.FromDays(90);

    /// <summary>The most audit entries kept per tenant, oldest dropped first. Defaults to 10,000.</summary>
    public int AuditMaxEntries { get; set; } = 10_000;

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ClusterSecret) && string.IsNullOrWhiteSpace(ClusterSecretFile))
        {
            throw new ArgumentException(
                "Security:ClusterSecret is not set: every silo of the cluster needs the same secret of 32 or more characters " +
                "(e.g. Security__ClusterSecret=$(openssl rand -base64 48)), or Security:ClusterSecretFile naming a file to create.");
        }

        if (ClusterSecret is { } secret && !string.IsNullOrWhiteSpace(secret) && secret.Trim().Length < 32)
        {
            throw new ArgumentException($"Security:ClusterSecret is {secret.Trim().Length} characters long: give 32 or more.");
        }

        if (string.IsNullOrWhiteSpace(BootstrapKey) && string.IsNullOrWhiteSpace(BootstrapKeyFile))
        {
            throw new ArgumentException(
                "Security:BootstrapKey is not set: give the first cluster-admin key (create one with 'nodedb key generate') " +
                "or Security:BootstrapKeyFile naming a file to create.");
        }

        if (BootstrapKey is { Length: > 0 } key && !IsClusterKey(key))
        {
            // The key itself is never echoed, even when it is wrong.
            throw new ArgumentException("Security:BootstrapKey is not a cluster-scope key: expected the form ndb._cluster.<id>.<secret>.");
        }

        if (KeyCacheTtl < TimeSpan.Zero || KeyCacheTtl > TimeSpan.FromMinutes(5))
        {
            throw new ArgumentException($"Security:KeyCacheTtl {KeyCacheTtl} is out of range: give 0 to 5 minutes (a revocation takes this long to reach every silo).");
        }

        if (AuditRetention <= TimeSpan.Zero)
        {
            throw new ArgumentException($"Security:AuditRetention {AuditRetention} is invalid: give a positive duration.");
        }

        if (AuditMaxEntries is < 10 or > 1_000_000)
        {
            throw new ArgumentException($"Security:AuditMaxEntries {AuditMaxEntries} is out of range: give 10 to 1,000,000.");
        }
    }

    internal static bool IsClusterKey(string text) =>
        ApiKeyText.TryParse(text, out var scope, out _, out _) && scope == ApiKeyText.ClusterScope;
}
