using NodeDb.Orleans.Client.Web.Hosting;
using NodeDb.Orleans.Security;

namespace NodeDb.Orleans.Client.Web.Api;

/// <summary>
/// Reads <c>Authorization: Bearer &lt;key&gt;</c> and the tenant (<c>?tenant=</c>, for cluster-scope keys) the way the
/// console client reads <c>--key</c> and <c>--tenant</c>. Whether the key is valid, and for what, the silo decides on
/// each call.
/// </summary>
public static class BearerKey
{
    /// <summary>The caller of an API request, or a problem when it presents no key shaped like one.</summary>
    public static WebCaller Read(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            throw new NodeDbException(ErrorCodes.Unauthenticated,
                "Unauthenticated: no API key was presented. Send Authorization: Bearer <key> (an admin creates keys with 'nodedb key create').");
        }

        var key = header["Bearer ".Length..].Trim();
        if (!ApiKeyText.TryParse(key, out _, out _, out _))
        {
            throw new NodeDbException(ErrorCodes.Unauthenticated, "Unauthenticated: the presented API key is malformed: a key reads ndb.<tenant or _cluster>.<id>.<secret>.");
        }

        var asked = context.Request.Query["tenant"].ToString();
        var tenant = CommandRunner.TenantOf(key, "the Authorization header", asked.Length > 0 ? asked : null);
        return new WebCaller(key, tenant, null);
    }
}
