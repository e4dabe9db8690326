using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using NodeDb.Orleans.Client.Web.Api;
using NodeDb.Orleans.Client.Web.Hosting;
using NodeDb.Orleans.Security;
using static NodeDb.Orleans.Client.Web.Ui.Html;

namespace NodeDb.Orleans.Client.Web.Ui;

/// <summary>
/// The dashboard: server-rendered pages signed in with a key (kept, encrypted, in an HttpOnly, SameSite=Strict session
/// cookie). Every POST must carry the antiforgery token; every page call presents the signed-in key to the cluster.
/// </summary>
public static class Dashboard
{
    public const string AntiforgeryField = "__af";

    private const string KeyClaim = "nodedb:key";
    private const string TenantClaim = "nodedb:tenant";
    private const string ScopeClaim = "nodedb:scope";
    private const string KeyIdClaim = "nodedb:keyid";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/", (HttpContext h) => Results.Redirect(h.Request.PathBase + "/schedules")).ExcludeFromDescription();
        var open = app.MapGroup("").ExcludeFromDescription();
        open.AddEndpointFilter(CheckAntiforgery);
        open.MapGet("/signin", (HttpContext h) => SignInPage(h, null, null));
        open.MapPost("/signin", (Delegate)SignInAsync);
        open.MapGet("/api-reference", (HttpContext h) => Page(h, "HTTP API reference",
            $"<p>The OpenAPI document: <a href=\"{Url(h, "/openapi/v1.json")}\">openapi/v1.json</a>. Authenticate with <code>Authorization: Bearer &lt;key&gt;</code>.</p>" +
            $"<div id=\"reference\" data-openapi=\"{Url(h, "/openapi/v1.json")}\"><p>Loading…</p></div>"));

        var pages = app.MapGroup("").ExcludeFromDescription();
        pages.AddEndpointFilter(SignedIn);
        pages.MapPost("/signout", async (HttpContext h) =>
        {
            await h.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.Redirect(h.Request.PathBase + "/signin");
        });
        SchedulePages.Map(pages);
        TenantPages.Map(pages);
    }

    /// <summary>Pages need a signed-in key; changes need the antiforgery token; failures of the cluster become error pages.</summary>
    private static async ValueTask<object?> SignedIn(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var h = context.HttpContext;
        if (h.User.FindFirst(KeyClaim)?.Value is not { } key || h.User.FindFirst(TenantClaim)?.Value is not { } tenant)
        {
            return Results.Redirect(h.Request.PathBase + "/signin");
        }

        var identity = new KeyIdentity
        {
            Principal = h.User.Identity?.Name ?? "",
            KeyId = h.User.FindFirst(KeyIdClaim)?.Value ?? "",
            Scope = h.User.FindFirst(ScopeClaim)?.Value ?? "",
            Role = Enum.TryParse<ApiKeyRole>(h.User.FindFirst(ClaimTypes.Role)?.Value, out var r) ? r : ApiKeyRole.Reader,
        };
        var caller = new WebCaller(key, tenant, identity);
        caller.Attach(h);
        try
        {
            await TenantOperations.AttachAsync(h, caller);
            return await CheckAntiforgery(context, next);
        }
        catch (Exception e) when (Problems.Classify(e) is { } problem)
        {
            if (problem.Code == ErrorCodes.Unauthenticated)
            {
                // The key was revoked or expired since sign-in: the session ends with it.
                await h.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            }

            return Page(h, "Refused", Error(problem.Message) + $"<p><a href=\"{Url(h, "/schedules")}\">Back to the schedules</a></p>", Problems.StatusOf(problem.Code));
        }
    }

    private static async ValueTask<object?> CheckAntiforgery(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var h = context.HttpContext;
        if (HttpMethods.IsPost(h.Request.Method))
        {
            try
            {
                await h.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(h);
            }
            catch (AntiforgeryValidationException)
            {
                return Page(h, "Refused", Error("This form was not sent by this dashboard (its antiforgery token is missing or wrong): nothing was changed. Reload the page and try again."), StatusCodes.Status400BadRequest);
            }
        }

        return await next(context);
    }

    private static IResult SignInPage(HttpContext h, string? error, string? tenant, int status = 200) => Page(h, "Sign in",
        Error(error) +
        $"<form method=\"post\" action=\"{Url(h, "/signin")}\" class=\"card\">{Antiforgery(h)}" +
        "<label for=\"key\">API key</label><input id=\"key\" name=\"key\" type=\"password\" autocomplete=\"off\" required>" +
        "<label for=\"tenant\">Tenant <small>(only for a cluster-scope key; a tenant key acts for its own tenant)</small></label>" +
        $"<input id=\"tenant\" name=\"tenant\" value=\"{E(tenant)}\">" +
        "<button type=\"submit\">Sign in</button></form>" +
        "<p>The embedded silo writes its first cluster-admin key to <code>.data/cluster-admin.key</code>; an admin makes keys with <code>nodedb key create</code>.</p>",
        status);

    private static async Task<IResult> SignInAsync(HttpContext h)
    {
        var form = await h.Request.ReadFormAsync();
        var key = form["key"].ToString().Trim();
        var asked = form["tenant"].ToString().Trim();
        if (!ApiKeyText.TryParse(key, out _, out _, out _))
        {
            return SignInPage(h, "That is not an API key: a key reads ndb.<tenant or _cluster>.<id>.<secret>.", asked, StatusCodes.Status401Unauthorized);
        }

        try
        {
            var tenant = CommandRunner.TenantOf(key, "the sign-in form", asked.Length > 0 ? asked : null);
            var caller = new WebCaller(key, tenant, null);
            caller.Attach(h);
            var ops = await TenantOperations.AttachAsync(h, caller);

            // The silo checks the key and says what it is; the dashboard only remembers it to hide what it may not do.
            var who = await ops.WhoAmIAsync();
            var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.Name, who.Principal),
                new Claim(ClaimTypes.Role, who.Role.ToString()),
                new Claim(KeyClaim, key),
                new Claim(TenantClaim, tenant),
                new Claim(ScopeClaim, who.Scope),
                new Claim(KeyIdClaim, who.KeyId),
            ], CookieAuthenticationDefaults.AuthenticationScheme);
            await h.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
            return Results.Redirect(h.Request.PathBase + "/schedules");
        }
        catch (Exception e) when (Problems.Classify(e) is { } problem)
        {
            return SignInPage(h, problem.Message, asked, Problems.StatusOf(problem.Code));
        }
    }
}
