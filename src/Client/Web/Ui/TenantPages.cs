using System.Text;
using System.Text.Json.Nodes;
using NodeDb.Orleans.Client.Output;
using NodeDb.Orleans.Client.Web.Api;
using NodeDb.Orleans.Client.Web.Hosting;
using NodeDb.Orleans.Security;
using static NodeDb.Orleans.Client.Web.Ui.Forms;
using static NodeDb.Orleans.Client.Web.Ui.Html;

namespace NodeDb.Orleans.Client.Web.Ui;

/// <summary>Runs, Cluster, Audit and Keys, and the dashboard's own JSON (live runs, cron check as you type).</summary>
public static class TenantPages
{
    public static void Map(RouteGroupBuilder pages)
    {
        pages.MapGet("/runs", async (HttpContext h, string? status) =>
        {
            var filter = TenantOperations.ParseStatus(status);
            var runs = await Ops(h).RunsAsync(null, filter, 100);
            var b = new StringBuilder("<form method=\"get\" class=\"filters\"><label for=\"status\">Status</label><select id=\"status\" name=\"status\"><option value=\"\">all</option>");
            foreach (var s in Enum.GetNames<RunStatus>())
            {
                b.Append("<option value=\"").Append(s).Append('"').Append(s == filter?.ToString() ? " selected" : "").Append('>').Append(s).Append("</option>");
            }

            b.Append("</select><button type=\"submit\">Apply</button></form>")
                .Append(RunTable.Render(runs, h.Request.PathBase + "/ui/events" + (filter is null ? "" : "?status=" + filter)));
            return Page(h, "Runs", b.ToString());
        });

        pages.MapGet("/cluster", async (HttpContext h) =>
        {
            var options = h.RequestServices.GetRequiredService<WebOptions>();
            var health = await Ops(h).HealthAsync();
            var silos = await Ops(h).SilosAsync();
            var b = new StringBuilder("<dl class=\"definition\"><dt>gateway</dt><dd>").Append(E(options.Gateway)).Append("</dd><dt>cluster</dt><dd>")
                .Append(E(options.ClusterId)).Append("</dd></dl>");
            AppendSilos(b, silos);
            b.Append("<h2>Replication groups</h2><table><thead><tr><th scope=\"col\">group</th><th scope=\"col\">may fire</th><th scope=\"col\">reason</th><th scope=\"col\">leader</th><th scope=\"col\">reported</th></tr></thead><tbody>");
            foreach (var g in health)
            {
                b.Append("<tr><td>").Append(E(g.Group)).Append("</td><td>").Append(g.Verdict.MayFire ? "yes" : "no").Append("</td><td>").Append(E(g.Verdict.Reason))
                    .Append("</td><td>").Append(E(g.Verdict.Report?.LeaderId)).Append("</td><td>").Append(E(Spellings.Human(g.Verdict.Report?.ReportedAt))).Append("</td></tr>");
            }

            return Page(h, "Cluster", b.Append("</tbody></table>").ToString());
        });

        pages.MapGet("/audit", async (HttpContext h) =>
        {
            var entries = await Ops(h).AuditAsync(false, 200);
            var b = new StringBuilder("<table><thead><tr><th scope=\"col\">at</th><th scope=\"col\">who</th><th scope=\"col\">action</th><th scope=\"col\">target</th><th scope=\"col\">outcome</th><th scope=\"col\">detail</th></tr></thead><tbody>");
            foreach (var e in entries)
            {
                b.Append("<tr><td>").Append(E(Spellings.Human(e.At))).Append("</td><td>").Append(E(e.Principal ?? e.KeyId ?? "(no key)")).Append("</td><td>").Append(E(e.Action))
                    .Append("</td><td>").Append(E(e.Target)).Append("</td><td>").Append(E(e.Outcome)).Append("</td><td>").Append(E(e.Detail)).Append("</td></tr>");
            }

            return Page(h, "Audit", b.Append("</tbody></table>").ToString());
        });

        pages.MapGet("/keys", (Delegate)((HttpContext h) => KeysPageAsync(h, null)));
        pages.MapPost("/keys", async (HttpContext h) =>
        {
            var form = await h.Request.ReadFormAsync();
            var created = await Ops(h).CreateKeyAsync(false, form["principal"], form["role"], Instant(form["expiresAt"], "expiresAt"));
            return await KeysPageAsync(h, created);
        });
        pages.MapPost("/keys/{id}/revoke", async (HttpContext h, string id) =>
        {
            await Ops(h).RevokeKeyAsync(false, id);
            return Results.Redirect(h.Request.PathBase + "/keys");
        });

        // The dashboard's own reads for app.js (GET only, same session and key).
        pages.MapGet("/ui/events", (HttpContext h, string? schedule) => LiveRuns.StreamAsync(h, Ops(h), schedule));
        // POST: the statement (its body above all) may be longer than a URL, and the form's antiforgery token travels along.
        pages.MapPost("/ui/check", async (HttpContext h) =>
        {
            try
            {
                var form = await h.Request.ReadFormAsync();
                var check = await Ops(h).CheckAsync(CreateStatement(form["name"], form["cron"], form["timeZone"], form["options"], form["body"]));
                var answer = JsonShapes.Check(check);

                // The body's highlighting as (class, text) pairs: the script builds the spans with textContent.
                answer["highlight"] = new JsonArray([.. SqlHighlighter.Tokens(form["body"].ToString())
                    .Select(t => (JsonNode)new JsonArray(t.Class is null ? null : JsonValue.Create(t.Class), JsonValue.Create(t.Text)))]);
                return Results.Json(answer);
            }
            catch (Exception e) when (Problems.Classify(e) is { } p && p.Code != ErrorCodes.Unauthenticated)
            {
                return Results.Json(new JsonObject { ["valid"] = false, ["code"] = p.Code, ["error"] = p.Message });
            }
        });
        pages.MapGet("/ui/preview", async (HttpContext h, string? cron, string? timeZone) =>
        {
            try
            {
                var preview = await Ops(h).PreviewAsync(cron, timeZone, null, 5);
                return Results.Json(new JsonObject { ["zone"] = preview.Zone, ["occurrences"] = JsonShapes.Occurrences(preview) });
            }
            catch (Exception e) when (Problems.Classify(e) is { } p && p.Code != ErrorCodes.Unauthenticated)
            {
                return Results.Json(new JsonObject { ["code"] = p.Code, ["error"] = p.Message });
            }
        });
    }

    /// <summary>One row per silo: the schedules it fires, its slots in use, its queue, the runs it holds for their instant.</summary>
    private static void AppendSilos(StringBuilder b, IReadOnlyList<SiloLoad> silos)
    {
        b.Append("<h2>Silos</h2><table id=\"silos\"><thead><tr><th scope=\"col\">silo</th><th scope=\"col\">name</th><th scope=\"col\">status</th>")
            .Append("<th scope=\"col\">schedules hosted</th><th scope=\"col\">slots in use</th><th scope=\"col\">queued</th><th scope=\"col\">held for their instant</th></tr></thead><tbody>");
        foreach (var s in silos)
        {
            b.Append("<tr><td>").Append(E(s.Address)).Append("</td><td>").Append(E(s.Name)).Append("</td><td>").Append(E(s.Status))
                .Append(s.Error is null ? "" : $" <small>({E(s.Error)})</small>")
                .Append("</td><td class=\"num\">").Append(N(s.SchedulesHosted)).Append("</td><td class=\"num\">")
                .Append(s.Running is null ? "-" : $"{N(s.Running)} of {N(s.Slots)}")
                .Append("</td><td class=\"num\">").Append(N(s.Queued)).Append("</td><td class=\"num\">").Append(N(s.Held)).Append("</td></tr>");
        }

        b.Append("</tbody></table>");

        static string N(int? n) => n?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-";
    }

    private static async Task<IResult> KeysPageAsync(HttpContext h, NewApiKey? created)
    {
        var keys = await Ops(h).KeysAsync(false);
        var b = new StringBuilder();
        if (created is not null)
        {
            b.Append("<div class=\"notice\" role=\"status\"><p>Key ").Append(E(created.Info.Id)).Append(" for ").Append(E(created.Info.Principal))
                .Append(" created. This is the only time its secret is shown: hand it over now.</p><p><code id=\"new-key\">").Append(E(created.Key)).Append("</code></p></div>");
        }

        b.Append("<table><thead><tr><th scope=\"col\">id</th><th scope=\"col\">principal</th><th scope=\"col\">role</th><th scope=\"col\">created</th><th scope=\"col\">expires</th><th scope=\"col\">revoked</th><th scope=\"col\"><span class=\"sr\">Revoke</span></th></tr></thead><tbody>");
        foreach (var k in keys)
        {
            b.Append("<tr><td>").Append(E(k.Id)).Append("</td><td>").Append(E(k.Principal)).Append("</td><td>").Append(E(k.Role.ToString().ToLowerInvariant()))
                .Append("</td><td>").Append(E(Spellings.Human(k.CreatedAt))).Append("</td><td>").Append(E(k.ExpiresAt is { } x ? Spellings.Human(x) : "never"))
                .Append("</td><td>").Append(E(k.RevokedAt is { } r ? $"{Spellings.Human(r)} by {k.RevokedBy}" : "")).Append("</td><td>");
            if (k.RevokedAt is null)
            {
                b.Append("<form method=\"post\" action=\"").Append(Url(h, "/keys/" + Uri.EscapeDataString(k.Id) + "/revoke")).Append("\">").Append(Antiforgery(h))
                    .Append("<button type=\"submit\" class=\"danger\">Revoke ").Append(E(k.Id)).Append("</button></form>");
            }

            b.Append("</td></tr>");
        }

        b.Append("</tbody></table><form method=\"post\" action=\"").Append(Url(h, "/keys")).Append("\" class=\"card\">").Append(Antiforgery(h))
            .Append("<h2>New key</h2><label for=\"principal\">Principal</label><input id=\"principal\" name=\"principal\" required>")
            .Append("<label for=\"role\">Role</label><select id=\"role\" name=\"role\"><option>reader</option><option>operator</option><option>admin</option></select>")
            .Append("<label for=\"expiresAt\">Expires (ISO 8601, optional)</label><input id=\"expiresAt\" name=\"expiresAt\">")
            .Append("<button type=\"submit\">Create key</button></form>");
        return Page(h, "Keys", b.ToString());
    }
}
