using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Antiforgery;
using NodeDb.Orleans.Client.Web.Hosting;
using NodeDb.Orleans.Security;

namespace NodeDb.Orleans.Client.Web.Ui;

/// <summary>
/// The dashboard's HTML. Every value that comes from the cluster or the user goes through <see cref="E"/> (HTML
/// encoding), so a name, note, body or error is always text, never markup; no page carries inline script.
/// </summary>
public static class Html
{
    /// <summary>HTML-encodes text for element content and quoted attribute values.</summary>
    public static string E(string? text) => text is null ? "" : HtmlEncoder.Default.Encode(text);

    /// <summary>A path of the dashboard under the request's base path (behind a proxy: its prefix).</summary>
    public static string Url(HttpContext h, string path) => E(h.Request.PathBase + path);

    /// <summary>A path with an escaped schedule name in it.</summary>
    public static string ScheduleUrl(HttpContext h, string name, string rest = "") => Url(h, "/schedules/" + Uri.EscapeDataString(name) + rest);

    /// <summary>The hidden antiforgery field every form that changes something carries.</summary>
    public static string Antiforgery(HttpContext h)
    {
        var tokens = h.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(h);
        return $"<input type=\"hidden\" name=\"{E(tokens.FormFieldName)}\" value=\"{E(tokens.RequestToken)}\">";
    }

    /// <summary>A whole page: the navigation (only the pages the caller's role may use), the content, the app's script.</summary>
    public static IResult Page(HttpContext h, string title, string content, int status = 200)
    {
        var caller = WebCaller.Of(h);
        // Pages hold a tenant's data (and once a key's secret): never kept by a browser or proxy cache.
        // (Spelled as antiforgery spells it, so the two do not overwrite each other.)
        h.Response.Headers.CacheControl = "no-cache, no-store";
        h.Response.Headers.Pragma = "no-cache";
        var b = new StringBuilder();
        b.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<title>").Append(E(title)).Append(" · NodeDb</title>")
            .Append("<link rel=\"stylesheet\" href=\"").Append(Url(h, "/app.css")).Append("\">")
            .Append("<script src=\"").Append(Url(h, "/app.js")).Append("\" defer></script></head><body>")
            .Append("<header><a class=\"brand\" href=\"").Append(Url(h, "/schedules")).Append("\">NodeDb</a>");
        if (caller is not null)
        {
            b.Append("<nav aria-label=\"Main\"><a href=\"").Append(Url(h, "/schedules")).Append("\">Schedules</a>")
                .Append("<a href=\"").Append(Url(h, "/runs")).Append("\">Runs</a>")
                .Append("<a href=\"").Append(Url(h, "/cluster")).Append("\">Cluster</a>");
            if (caller.Offers(ApiKeyRole.Admin))
            {
                b.Append("<a href=\"").Append(Url(h, "/audit")).Append("\">Audit</a>")
                    .Append("<a href=\"").Append(Url(h, "/keys")).Append("\">Keys</a>");
            }

            b.Append("<a href=\"").Append(Url(h, "/api-reference")).Append("\">API</a></nav>");
            var who = caller.Identity;
            b.Append("<div class=\"who\"><span>").Append(E(who?.Principal)).Append(" · ").Append(E(who?.Role.ToString().ToLowerInvariant()))
                .Append(" · tenant <strong id=\"tenant\">").Append(E(caller.Tenant)).Append("</strong></span>")
                .Append("<form method=\"post\" action=\"").Append(Url(h, "/signout")).Append("\">").Append(Antiforgery(h))
                .Append("<button type=\"submit\" class=\"link\">Sign out</button></form></div>");
        }

        b.Append("</header><main id=\"main\"><h1>").Append(E(title)).Append("</h1>").Append(content).Append("</main></body></html>");
        return Results.Content(b.ToString(), "text/html; charset=utf-8", Encoding.UTF8, status);
    }

    public static string Error(string? message) =>
        message is null ? "" : $"<p class=\"error\" role=\"alert\">{E(message)}</p>";

    public static string Notice(string? message) =>
        message is null ? "" : $"<p class=\"notice\" role=\"status\">{E(message)}</p>";
}
