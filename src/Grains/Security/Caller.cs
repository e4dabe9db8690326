namespace NodeDb.Orleans.Grains.Security;

/// <summary>Who is calling, as the authorization filter established it from the presented key.</summary>
public sealed record Caller(string Principal, string KeyId, string Scope, ApiKeyRole Role)
{
    /// <summary>Where the filter puts the caller's principal for the grains the call reaches (never taken from a client).</summary>
    public const string PrincipalKey = "nodedb.principal";

    public bool IsClusterScope => Scope == ApiKeyText.ClusterScope;

    /// <summary>May this caller act for <paramref name="tenant"/>?</summary>
    public bool CoversTenant(string tenant) => IsClusterScope || string.Equals(Scope, tenant, StringComparison.Ordinal);

    /// <summary>The principal of the client call this grain turn serves; set by the filter, so grains may trust it.</summary>
    public static string? CurrentPrincipal => RequestContext.Get(PrincipalKey) as string;
}
