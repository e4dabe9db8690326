namespace NodeDb.Orleans.Grains.Security;

/// <summary>The tenant a call acts on, as read from the target grain's key.</summary>
/// <param name="Tenant">The tenant (or <see cref="ApiKeyText.ClusterScope"/>), or null for a grain that belongs to no tenant.</param>
/// <param name="Valid">False when the key is not shaped as the grain's keys are: such a call is refused.</param>
public readonly record struct TenantTarget(string? Tenant, bool Valid = true)
{
    public static TenantTarget None => new(null);

    public static TenantTarget Invalid => new(null, Valid: false);

    /// <summary>A tenant-keyed grain (or <see cref="ApiKeyText.ClusterScope"/> for the cluster's keys and audit).</summary>
    public static TenantTarget Key(string key) => key.Length > 0 ? new(key) : Invalid;

    /// <summary>A schedule grain, keyed <c>"{tenant}/{name}"</c>.</summary>
    public static TenantTarget Schedule(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && slash < key.Length - 1 ? new(key[..slash]) : Invalid;
    }
}
