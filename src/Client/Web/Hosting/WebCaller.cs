using NodeDb.Orleans.Security;

namespace NodeDb.Orleans.Client.Web.Hosting;

/// <summary>
/// Who a request acts as: the key it presented and the tenant that key acts for (a cluster-scope key names one). The
/// key travels with every grain call the request makes; the silo decides what it may do.
/// </summary>
/// <param name="Key">The key's text, presented to the cluster and never shown.</param>
/// <param name="Tenant">The tenant the request's calls target.</param>
/// <param name="Identity">What the silo said the key is, when the dashboard asked at sign-in (null for API requests).</param>
public sealed record WebCaller(string Key, string Tenant, KeyIdentity? Identity)
{
    private const string ItemKey = "nodedb.caller";

    /// <summary>May the dashboard offer an action that needs <paramref name="role"/>? Only hides buttons; the silo still decides.</summary>
    public bool Offers(ApiKeyRole role) => Identity is { } i && i.Role >= role;

    public static WebCaller? Of(HttpContext context) => context.Items[ItemKey] as WebCaller;

    public void Attach(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Items[ItemKey] = this;
        // Presented on every grain call this request makes: the request context flows with its awaits.
        RequestContext.Set(ApiKeyPresenter.RequestContextKey, Key);
    }
}
