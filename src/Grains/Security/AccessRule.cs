namespace NodeDb.Orleans.Grains.Security;

/// <summary>What one public grain method requires of a client's key.</summary>
/// <param name="Role">The least role; <see cref="RoleOf"/> may raise it from the arguments.</param>
/// <param name="TenantOf">The tenant a call acts on, from the grain's key; null result: no tenant (any scope may call).</param>
/// <param name="Mutation">Accepted calls are written to the audit log.</param>
/// <param name="ClusterOnly">Only cluster-scope keys may call (health reports).</param>
/// <param name="RoleOf">The role the arguments require (a script's statements), when more than <see cref="Role"/>.</param>
/// <param name="Rewrite">Replaces identity arguments with the caller's principal, so no client-supplied name is stored.</param>
public sealed record AccessRule(
    ApiKeyRole Role,
    Func<string, TenantTarget> TenantOf,
    bool Mutation = false,
    bool ClusterOnly = false,
    Func<IIncomingGrainCallContext, ApiKeyRole>? RoleOf = null,
    Action<IIncomingGrainCallContext, Caller>? Rewrite = null);
