using Microsoft.Extensions.Logging;
using NodeDb.Orleans.Grains.Sql.Execution;

namespace NodeDb.Orleans.Grains.Security;

/// <summary>
/// The one enforcement point: decides every call that reaches one of the application's grains from outside the
/// silos. Calls made by the silos themselves carry the cluster token (<see cref="InternalCallStamp"/>) and pass;
/// every other call must present a valid key, stay inside its tenant and role, and reach a method of
/// <see cref="AccessPolicy"/>.
/// </summary>
/// <remarks>
/// On an accepted call the key is removed from the request context and the caller's principal put in its place,
/// so grains never see the key and the principal they see was set here, never by a client. Refusals throw
/// <see cref="NodeDbException"/> with code <c>unauthenticated</c> or <c>permission_denied</c>, naming the rule and at
/// most the key's public id. Of Orleans' own system targets, a client reaches the cluster manifest and the call
/// canceller only.
/// </remarks>
public sealed partial class AuthorizationFilter(
    ClusterSecret secret,
    KeyVerifier verifier,
    AuditTrail audit,
    ILogger<AuthorizationFilter> logger) : IIncomingGrainCallFilter
{
    /// <summary>
    /// The system targets a client reaches: the cluster manifest, the call canceller, and the test hooks that only
    /// test clusters register.
    /// </summary>
    private static readonly HashSet<GrainType> ClientSystemTargets =
    [
        SystemTargetGrainId.CreateGrainType("manifest"),
        SystemTargetGrainId.CreateGrainType("canceler"),
        SystemTargetGrainId.CreateGrainType("test.hooks"),
    ];

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var fromClient = IsExternalClient(context.SourceId);
        if (context.TargetId.Type.IsSystemTarget())
        {
            // Orleans' own services: a client needs the cluster manifest (and to cancel its calls), nothing else;
            // silo control or the directory would show it every tenant's grains.
            if (fromClient && !ClientSystemTargets.Contains(context.TargetId.Type))
            {
                var what = $"{context.InterfaceName}.{context.MethodName}";
                throw Refuse(ApiKeyText.ClusterScope, null, what, context.TargetId.ToString(), context.SourceId?.ToString(), ErrorCodes.PermissionDenied,
                    $"{what} is internal to the cluster: clients may not call it, whatever their key");
            }

            await context.Invoke();
            return;
        }

        if (!fromClient && secret.Matches(RequestContext.Get(ClusterSecret.RequestContextKey)))
        {
            await context.Invoke();
            return;
        }

        var action = $"{context.InterfaceMethod?.DeclaringType?.Name ?? context.InterfaceName}.{context.MethodName}";
        var target = context.TargetId.Key.ToString() ?? "";
        var presented = RequestContext.Get(ApiKeyPresenter.RequestContextKey) as string;
        RequestContext.Remove(ApiKeyPresenter.RequestContextKey);
        RequestContext.Remove(Caller.PrincipalKey);
        var client = context.SourceId?.ToString();

        var rule = AccessPolicy.Find(context.InterfaceMethod);
        if (rule is null)
        {
            throw Refuse(ApiKeyText.ClusterScope, null, action, target, client, ErrorCodes.PermissionDenied,
                $"{action} is internal to the cluster: clients may not call it, whatever their key");
        }

        var tenant = rule.TenantOf(target);

        // Refusals and changes go to the log of the tenant they concern, if it can be one; else to the cluster's.
        var auditScope = tenant.Tenant is { } named && TenantName.IsValid(named) ? named : ApiKeyText.ClusterScope;
        if (!tenant.Valid)
        {
            throw Refuse(ApiKeyText.ClusterScope, null, action, target, client, ErrorCodes.PermissionDenied,
                $"'{target}' is not a key {context.InterfaceName} accepts");
        }

        Caller caller;
        try
        {
            caller = await verifier.VerifyAsync(presented);
        }
        catch (NodeDbException e) when (e.Code == ErrorCodes.Unauthenticated)
        {
            // Without a valid key the caller is anyone: only a key of the target's own tenant (revoked, expired, a
            // wrong secret) puts the refusal in that tenant's log; the rest goes to the cluster's one log, so made-up
            // tenant names cannot make the silos write audit logs for tenants that do not exist.
            ApiKeyText.TryParse(presented, out var keyScope, out var keyId, out _);
            var scope = keyScope == auditScope ? auditScope : ApiKeyText.ClusterScope;
            throw Refuse(scope, keyId is null ? null : (null, keyId), action, target, client, e.Code, e.Message["Unauthenticated: ".Length..]);
        }

        if (rule.ClusterOnly && !caller.IsClusterScope)
        {
            throw Refuse(auditScope, (caller.Principal, caller.KeyId), action, target, client, ErrorCodes.PermissionDenied,
                $"{action} needs a cluster-scope key; key {caller.KeyId} is for tenant '{caller.Scope}'");
        }

        if (tenant.Tenant is { } t && !caller.CoversTenant(t))
        {
            throw Refuse(auditScope, (caller.Principal, caller.KeyId), action, target, client, ErrorCodes.PermissionDenied,
                $"key {caller.KeyId} is for tenant '{caller.Scope}', not '{t}'");
        }

        var needed = rule.RoleOf is { } roleOf && roleOf(context) is var argsRole && argsRole > rule.Role ? argsRole : rule.Role;
        if (caller.Role < needed)
        {
            throw Refuse(auditScope, (caller.Principal, caller.KeyId), action, target, client, ErrorCodes.PermissionDenied,
                $"{action} needs the {Name(needed)} role; key {caller.KeyId} has {Name(caller.Role)}");
        }

        RequestContext.Set(Caller.PrincipalKey, caller.Principal);
        rule.Rewrite?.Invoke(context, caller);
        var mutation = rule.Mutation && (rule.RoleOf is null || needed > ApiKeyRole.Reader);
        try
        {
            await context.Invoke();
            if (mutation)
            {
                audit.Record(auditScope, caller.Principal, caller.KeyId, action, target, client, "accepted", null);
            }
        }
        catch (Exception e) when (mutation)
        {
            // The call was allowed but failed (a bad cron, a conflict): recorded as tried, with the error code.
            audit.Record(auditScope, caller.Principal, caller.KeyId, action, target, client, "failed", e is NodeDbException n ? n.Code : e.GetType().Name);
            throw;
        }
    }

    /// <summary>
    /// A client connected through a gateway is never internal, whatever it put in the request context. A silo's own
    /// services call through its hosted client, whose id is "hosted-{silo}".
    /// </summary>
    private static bool IsExternalClient(GrainId? source) =>
        source is { } id && id.IsClient() && !id.Key.AsSpan().StartsWith("hosted-"u8);

    private NodeDbException Refuse(
        string scope, (string? Principal, string KeyId)? who, string action, string target, string? client, string code, string rule)
    {
        LogRefused(logger, code, action, target, who?.KeyId, client, rule);
        audit.Record(scope, who?.Principal, who?.KeyId, action, target, client, code, rule);
        var kind = code == ErrorCodes.Unauthenticated ? "Unauthenticated" : "Permission denied";
        return new NodeDbException(code, $"{kind}: {rule}.");
    }

    private static string Name(ApiKeyRole role) => role.ToString().ToLowerInvariant();

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "Refused {Code}: {Action} on '{Target}' (key {KeyId}, client {Client}): {Rule}")]
    private static partial void LogRefused(ILogger logger, string code, string action, string target, string? keyId, string? client, string rule);
}
