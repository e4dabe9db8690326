using System.Globalization;
using System.Text;
using NodeDb.Orleans.Client.Output;
using NodeDb.Orleans.Client.Web.Api;
using NodeDb.Orleans.Client.Web.Hosting;
using NodeDb.Orleans.Security;
using static NodeDb.Orleans.Client.Web.Ui.Forms;
using static NodeDb.Orleans.Client.Web.Ui.Html;

namespace NodeDb.Orleans.Client.Web.Ui;

/// <summary>The Schedules list, a schedule's page, the create and edit forms, and the actions on schedules.</summary>
public static class SchedulePages
{
    /// <summary>What a finished action says on the page it returns to (fixed texts: a link cannot make the page say anything else).</summary>
    private static readonly Dictionary<string, string> Done = new(StringComparer.Ordinal)
    {
        ["created"] = "Schedule created.",
        ["edited"] = "Schedule saved.",
        ["paused"] = "Paused.",
        ["resumed"] = "Resumed.",
        ["triggered"] = "Triggered: the run appears below when it finishes.",
        ["backfilled"] = "Backfill queued.",
        ["bulk"] = "Done for the selected schedules.",
        ["deleted"] = "Schedule deleted.",
    };

    public static void Map(RouteGroupBuilder pages)
    {
        pages.MapGet("/schedules", ListAsync);
        pages.MapPost("/schedules/bulk", (Delegate)BulkAsync);
        pages.MapGet("/schedules/new", (HttpContext h) => CreateForm(h, null, null, 200));
        pages.MapPost("/schedules/new", (Delegate)CreateAsync);
        pages.MapGet("/schedules/{name}", DetailAsync);
        pages.MapGet("/schedules/{name}/edit", EditFormAsync);
        pages.MapPost("/schedules/{name}/edit", EditAsync);
        pages.MapPost("/schedules/{name}/pause", (HttpContext h, string name) => Act(h, name, "paused", async f => await Ops(h).PauseAsync(name, f["reason"], ResumeAt(f["resumeAt"]))));
        pages.MapPost("/schedules/{name}/resume", (HttpContext h, string name) => Act(h, name, "resumed", _ => Ops(h).ResumeAsync(name)));
        pages.MapPost("/schedules/{name}/trigger", (HttpContext h, string name) => Act(h, name, "triggered", _ => Ops(h).TriggerAsync(name)));
        pages.MapPost("/schedules/{name}/backfill", (HttpContext h, string name) => Act(h, name, "backfilled", f =>
            Ops(h).BackfillAsync(name, Instant(f["from"], "from") ?? throw new UsageException("from is required."), Instant(f["to"], "to") ?? throw new UsageException("to is required."))));
        pages.MapPost("/schedules/{name}/delete", async (HttpContext h, string name) =>
        {
            var result = await Act(h, name, "deleted", f => Ops(h).DropAsync(name, f["etag"]));
            return result is IStatusCodeHttpResult { StatusCode: >= 400 } ? result : Results.Redirect(h.Request.PathBase + "/schedules?done=deleted");
        });
    }

    private static async Task<IResult> ListAsync(HttpContext h, string? q, string? filter, string? sort, int? page, string? done)
    {
        var query = ScheduleListQuery.Parse(q, filter, sort, page, 50);
        var (items, total) = await Ops(h).ListAsync(query);
        var caller = WebCaller.Of(h)!;
        var now = h.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        var b = new StringBuilder(Notice(done is not null && Done.TryGetValue(done, out var said) ? said : null));
        b.Append("<form method=\"get\" class=\"filters\" role=\"search\" action=\"").Append(Url(h, "/schedules")).Append("\">")
            .Append("<label for=\"q\">Search</label><input id=\"q\" name=\"q\" value=\"").Append(E(query.Search)).Append("\">")
            .Append("<label for=\"filter\">Show</label><select id=\"filter\" name=\"filter\">").Append(Option("", "all", query.Filter));
        foreach (var f in ScheduleListQuery.Filters)
        {
            b.Append(Option(f, f, query.Filter));
        }

        b.Append("</select><label for=\"sort\">Sort by</label><select id=\"sort\" name=\"sort\">");
        foreach (var s in ScheduleListQuery.Sorts)
        {
            b.Append(Option(s, s == "next" ? "next run" : s == "status" ? "last status" : s, query.Sort));
        }

        b.Append("</select><button type=\"submit\">Apply</button></form>");
        if (caller.Offers(ApiKeyRole.Admin))
        {
            b.Append("<p><a class=\"button\" href=\"").Append(Url(h, "/schedules/new")).Append("\">New schedule</a></p>");
        }

        var operate = caller.Offers(ApiKeyRole.Operator);
        if (operate)
        {
            b.Append("<form method=\"post\" id=\"bulk\" action=\"").Append(Url(h, "/schedules/bulk")).Append("\">").Append(Antiforgery(h));
        }

        b.Append("<table class=\"schedules\"><caption>").Append(total.ToString(CultureInfo.InvariantCulture)).Append(" schedule(s) in tenant ")
            .Append(E(caller.Tenant)).Append("</caption><thead><tr>");
        if (operate)
        {
            b.Append("<th scope=\"col\"><span class=\"sr\">Select</span></th>");
        }

        b.Append("<th scope=\"col\">name</th><th scope=\"col\">cron</th><th scope=\"col\">zone</th><th scope=\"col\">state</th><th scope=\"col\">next run</th><th scope=\"col\">lateness</th><th scope=\"col\">last status</th><th scope=\"col\">owner</th></tr></thead><tbody>");
        foreach (var s in items)
        {
            var d = s.Definition;
            b.Append("<tr>");
            if (operate)
            {
                b.Append("<td><input type=\"checkbox\" name=\"names\" value=\"").Append(E(d.Name)).Append("\" aria-label=\"Select ").Append(E(d.Name)).Append("\"></td>");
            }

            b.Append("<td><a href=\"").Append(ScheduleUrl(h, d.Name)).Append("\">").Append(E(d.Name)).Append("</a></td>")
                .Append("<td><code>").Append(E(d.Cron)).Append("</code></td><td>").Append(E(d.TimeZone ?? "")).Append("</td>")
                .Append("<td>").Append(s.Paused ? "<span class=\"badge paused\">paused</span>" : d.Enabled ? "active" : "disabled").Append("</td>")
                .Append("<td>").Append(E(Spellings.Human(s.NextRun))).Append("</td>")
                .Append("<td>").Append(E(ScheduleCatalog.Lateness(s, now) is { } l && l > TimeSpan.Zero ? Spellings.Human(l) : "-")).Append("</td>")
                .Append("<td>").Append(E(s.LastStatus?.ToString() ?? "-")).Append("</td><td>").Append(E(d.Owner)).Append("</td></tr>");
        }

        b.Append("</tbody></table>");
        if (operate)
        {
            b.Append("<fieldset><legend>Selected schedules</legend><label for=\"bulk-reason\">Reason (for pause)</label><input id=\"bulk-reason\" name=\"reason\">")
                .Append("<button type=\"submit\" name=\"action\" value=\"pause\">Pause</button><button type=\"submit\" name=\"action\" value=\"resume\">Resume</button>")
                .Append("<button type=\"submit\" name=\"action\" value=\"trigger\">Trigger</button></fieldset></form>");
        }

        var pages = Math.Max(1, (total + query.PageSize - 1) / query.PageSize);
        b.Append("<nav aria-label=\"Pages\" class=\"pager\">Page ").Append(query.Page).Append(" of ").Append(pages);
        if (query.Page > 1)
        {
            b.Append(" <a href=\"").Append(PageUrl(h, query, query.Page - 1)).Append("\">previous</a>");
        }

        if (query.Page < pages)
        {
            b.Append(" <a href=\"").Append(PageUrl(h, query, query.Page + 1)).Append("\">next</a>");
        }

        b.Append("</nav>");
        return Page(h, "Schedules", b.ToString());
    }

    private static async Task<IResult> BulkAsync(HttpContext h)
    {
        var form = await h.Request.ReadFormAsync();
        var names = form["names"].Where(n => !string.IsNullOrEmpty(n)).Select(n => n!).ToList();
        var action = form["action"].ToString();
        if (names.Count == 0)
        {
            throw new UsageException("no schedule was selected.");
        }

        if (action == "pause" && string.IsNullOrWhiteSpace(form["reason"]))
        {
            throw new UsageException("reason is required to pause.");
        }

        if (action is not ("pause" or "resume" or "trigger"))
        {
            throw new UsageException($"action '{action}' is invalid: use pause, resume or trigger.");
        }

        // One after the other: the first refusal stops the rest and is what the page says.
        foreach (var name in names)
        {
            await (action switch
            {
                "pause" => Ops(h).PauseAsync(name, form["reason"]),
                "resume" => Ops(h).ResumeAsync(name),
                _ => (Task)Ops(h).TriggerAsync(name),
            });
        }

        return Results.Redirect(h.Request.PathBase + "/schedules?done=bulk");
    }

    private static async Task<IResult> DetailAsync(HttpContext h, string name, string? done, string? from, string? to)
    {
        var ops = Ops(h);
        var status = await ops.GetAsync(name);
        var d = status.Definition;
        var caller = WebCaller.Of(h)!;
        var b = new StringBuilder(Notice(done is not null && Done.TryGetValue(done, out var said) ? said : null));
        b.Append("<section aria-labelledby=\"def\"><h2 id=\"def\">Definition</h2><dl class=\"definition\">");
        void Row(string term, string? value) => b.Append("<dt>").Append(E(term)).Append("</dt><dd>").Append(E(value ?? "-")).Append("</dd>");
        Row("cron", d.Cron);
        Row("time zone", d.TimeZone ?? "(silo default)");
        Row("state", status.Paused ? "paused" : d.Enabled ? "active" : "disabled");
        if (status.Pause is { } p)
        {
            Row("paused", $"by {p.By} at {Spellings.Human(p.At)}");
            b.Append("<dt>reason</dt><dd class=\"note\">").Append(E(p.Note ?? "")).Append("</dd>");
            if (p.ResumeAt is { } resumeAt)
            {
                Row("resumes", Spellings.Human(resumeAt));
            }
        }

        Row("next run", Spellings.Human(status.NextRun));
        Row("last status", status.LastStatus?.ToString());
        Row("overlap", Spellings.Of(d.Overlap));
        Row("missed", Spellings.Of(d.Missed));
        Row("timeout", d.Timeout is { } t ? Spellings.Human(t) : null);
        Row("retries", d.Retries?.ToString(CultureInfo.InvariantCulture) ?? "default");
        Row("owner", d.Owner);
        Row("updated", Spellings.Human(status.UpdatedAt));
        b.Append("</dl><h3>Body</h3><pre class=\"sql\"><code>").Append(SqlHighlighter.Html(d.Body)).Append("</code></pre></section>");

        b.Append("<section aria-labelledby=\"next\"><h2 id=\"next\">Next 10 occurrences</h2>");
        try
        {
            b.Append(Occurrences(await ops.PreviewAsync(d.Cron, d.TimeZone, null, 10)));
        }
        catch (NodeDbException e)
        {
            b.Append(Error(e.Message));
        }

        b.Append("</section>");
        if (caller.Offers(ApiKeyRole.Operator))
        {
            b.Append(Actions(h, status, from, to));
            if (Instant(from, "from") is { } f && Instant(to, "to") is { } until)
            {
                var preview = await ops.BackfillPreviewAsync(name, f, until);
                b.Append("<section aria-labelledby=\"bf\" id=\"backfill-preview\"><h2 id=\"bf\">Backfill preview: ").Append(preview.Length).Append(" occurrence(s)</h2><ol>");
                foreach (var o in preview)
                {
                    b.Append("<li>").Append(E(Spellings.Instant(o))).Append("</li>");
                }

                b.Append("</ol><form method=\"post\" action=\"").Append(ScheduleUrl(h, name, "/backfill")).Append("\">").Append(Antiforgery(h))
                    .Append("<input type=\"hidden\" name=\"from\" value=\"").Append(E(from)).Append("\"><input type=\"hidden\" name=\"to\" value=\"").Append(E(to)).Append("\">")
                    .Append("<button type=\"submit\">Run these ").Append(preview.Length).Append(" occurrence(s)</button></form></section>");
            }
        }

        var runs = await ops.RunsAsync(name, null, 50);
        b.Append(Timeline(runs));
        b.Append("<section aria-labelledby=\"recent\"><h2 id=\"recent\">Recent runs</h2>")
            .Append(RunTable.Render(runs, h.Request.PathBase + "/ui/events?schedule=" + Uri.EscapeDataString(name))).Append("</section>");
        return Page(h, d.Name, b.ToString());
    }

    private static string Actions(HttpContext h, ScheduleStatus status, string? from, string? to)
    {
        var name = status.Definition.Name;
        var b = new StringBuilder("<section aria-labelledby=\"act\" class=\"actions\"><h2 id=\"act\">Actions</h2>");
        if (status.Paused)
        {
            b.Append("<form method=\"post\" action=\"").Append(ScheduleUrl(h, name, "/resume")).Append("\">").Append(Antiforgery(h)).Append("<button type=\"submit\">Resume</button></form>");
        }
        else
        {
            b.Append("<form method=\"post\" action=\"").Append(ScheduleUrl(h, name, "/pause")).Append("\">").Append(Antiforgery(h))
                .Append("<label for=\"reason\">Reason</label><input id=\"reason\" name=\"reason\" required maxlength=\"500\">")
                .Append("<label for=\"resume-at\">Resume by itself at (optional, ISO 8601, UTC unless an offset is given)</label><input id=\"resume-at\" name=\"resumeAt\" placeholder=\"2026-12-01T06:00:00Z\">")
                .Append("<button type=\"submit\">Pause</button></form>");
        }

        b.Append("<form method=\"post\" action=\"").Append(ScheduleUrl(h, name, "/trigger")).Append("\">").Append(Antiforgery(h)).Append("<button type=\"submit\">Trigger now</button></form>");
        b.Append("<form method=\"get\" action=\"").Append(ScheduleUrl(h, name)).Append("\" class=\"backfill\"><fieldset><legend>Backfill a past range</legend>")
            .Append("<label for=\"bf-from\">From (ISO 8601)</label><input id=\"bf-from\" name=\"from\" required value=\"").Append(E(from)).Append("\">")
            .Append("<label for=\"bf-to\">To (ISO 8601)</label><input id=\"bf-to\" name=\"to\" required value=\"").Append(E(to)).Append("\">")
            .Append("<button type=\"submit\">Preview</button></fieldset></form>");
        if (WebCaller.Of(h)!.Offers(ApiKeyRole.Admin))
        {
            b.Append("<p><a class=\"button\" href=\"").Append(ScheduleUrl(h, name, "/edit")).Append("\">Edit cron or zone</a></p>")
                .Append("<form method=\"post\" action=\"").Append(ScheduleUrl(h, name, "/delete")).Append("\">").Append(Antiforgery(h))
                .Append("<input type=\"hidden\" name=\"etag\" value=\"").Append(E(ScheduleVersion.ETag(status))).Append("\">")
                .Append("<button type=\"submit\" class=\"danger\">Delete schedule</button></form>");
        }

        return b.Append("</section>").ToString();
    }

    /// <summary>
    /// The runs' lateness and duration for <c>app.js</c> to draw, oldest first, in a data attribute (HTML-encoded JSON:
    /// the CSP allows no inline script); occurrences that did not run (missed, skipped, rejected) are marked.
    /// </summary>
    public static string Timeline(IEnumerable<RunRecord> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var points = new System.Text.Json.Nodes.JsonArray();
        foreach (var r in runs.Reverse())
        {
            points.Add(new System.Text.Json.Nodes.JsonObject
            {
                ["at"] = Spellings.Instant(r.ScheduledAt ?? r.RecordedAt),
                ["late"] = r.StartedAt is { } s && r.ScheduledAt is { } at ? Math.Max(0, (s - at).TotalMilliseconds) : null,
                ["ms"] = r.Duration?.TotalMilliseconds,
                ["status"] = r.Status.ToString(),
            });
        }

        return "<section aria-labelledby=\"tl\"><h2 id=\"tl\">Timeline</h2><figure id=\"timeline\" data-runs=\"" + E(points.ToJsonString()) +
            "\"><figcaption>Lateness and duration of the last runs, oldest first; ▲ marks an occurrence that was missed, skipped or rejected.</figcaption></figure></section>";
    }

    /// <summary>Occurrences in their zone; where the zone's offset differs from the one before, the DST shift is marked.</summary>
    public static string Occurrences(CronPreview preview)
    {
        ArgumentNullException.ThrowIfNull(preview);
        var b = new StringBuilder("<ol class=\"occurrences\">");
        var previous = preview.From.Offset;
        foreach (var o in preview.Occurrences)
        {
            b.Append("<li>").Append(E(Spellings.Instant(o)));
            if (o.Offset != previous)
            {
                b.Append(" <span class=\"dst\">DST shift ").Append(E(Offset(previous))).Append(" → ").Append(E(Offset(o.Offset))).Append("</span>");
            }

            previous = o.Offset;
            b.Append("</li>");
        }

        return b.Append("</ol>").ToString();
    }

    private static IResult CreateForm(HttpContext h, IFormCollection? form, string? error, int status)
    {
        string V(string field, string fallback = "") => E(form?[field].ToString() ?? fallback);
        var content =
            Error(error) +
            $"<form method=\"post\" action=\"{Url(h, "/schedules/new")}\" class=\"card\" id=\"create\" data-preview=\"{Url(h, "/ui/preview")}\" data-check=\"{Url(h, "/ui/check")}\">{Antiforgery(h)}" +
            $"<label for=\"name\">Name</label><input id=\"name\" name=\"name\" required value=\"{V("name")}\">" +
            $"<label for=\"cron\">Cron <small>(5 fields, or 6 with leading seconds)</small></label><input id=\"cron\" name=\"cron\" required value=\"{V("cron", "*/10 * * * * *")}\">" +
            $"<label for=\"timeZone\">Time zone <small>(IANA, e.g. Europe/Berlin; empty for the silo's)</small></label><input id=\"timeZone\" name=\"timeZone\" value=\"{V("timeZone")}\">" +
            "<div id=\"cron-check\" role=\"status\" aria-live=\"polite\" class=\"check\"></div>" +
            $"<label for=\"options\">Options <small>(inside WITH (…), e.g. OVERLAP = SKIP, TIMEOUT = '30s')</small></label><input id=\"options\" name=\"options\" value=\"{V("options")}\">" +
            $"<label for=\"body\">Body</label><textarea id=\"body\" name=\"body\" rows=\"8\" required>{V("body", "BEGIN\n  SELECT 1;\nEND")}</textarea>" +
            "<pre class=\"sql\" id=\"body-preview\" aria-label=\"The body, highlighted\" hidden><code></code></pre>" +
            "<div id=\"ddl-check\" role=\"status\" aria-live=\"polite\" class=\"check\"></div>" +
            "<button type=\"submit\">Create</button></form>";
        return Page(h, "New schedule", content, status);
    }

    private static async Task<IResult> CreateAsync(HttpContext h)
    {
        var form = await h.Request.ReadFormAsync();
        try
        {
            var status = await Ops(h).CreateAsync(CreateStatement(form["name"], form["cron"], form["timeZone"], form["options"], form["body"]));
            return Results.Redirect(h.Request.PathBase + "/schedules/" + Uri.EscapeDataString(status.Definition.Name) + "?done=created");
        }
        catch (Exception e) when (Problems.Classify(e) is { } problem && problem.Code != ErrorCodes.Unauthenticated)
        {
            // The silo's parser said what is wrong (the value, its position, the reason): shown above the kept input.
            return CreateForm(h, form, problem.Message, Problems.StatusOf(problem.Code));
        }
    }

    private static async Task<IResult> EditFormAsync(HttpContext h, string name, string? cron, string? timeZone)
    {
        var ops = Ops(h);
        var status = await ops.GetAsync(name);
        var d = status.Definition;
        var newCron = string.IsNullOrWhiteSpace(cron) ? d.Cron : cron.Trim();
        var newZone = timeZone is null ? d.TimeZone : timeZone.Trim();
        var b = new StringBuilder("<div class=\"side-by-side\"><section><h2>Now</h2><p><code>")
            .Append(E(d.Cron)).Append("</code> in ").Append(E(d.TimeZone ?? "(silo default)")).Append("</p>")
            .Append(Occurrences(await ops.PreviewAsync(d.Cron, d.TimeZone, null, 10))).Append("</section><section><h2>After the edit</h2><p><code>")
            .Append(E(newCron)).Append("</code> in ").Append(E(string.IsNullOrEmpty(newZone) ? "(silo default)" : newZone)).Append("</p>");
        try
        {
            b.Append(Occurrences(await ops.PreviewAsync(newCron, newZone, null, 10)));
        }
        catch (NodeDbException e)
        {
            b.Append(Error(e.Message));
        }

        b.Append("</section></div>")
            .Append("<form method=\"get\" action=\"").Append(ScheduleUrl(h, name, "/edit")).Append("\" class=\"card\">")
            .Append("<label for=\"cron\">Cron</label><input id=\"cron\" name=\"cron\" value=\"").Append(E(newCron)).Append("\">")
            .Append("<label for=\"timeZone\">Time zone</label><input id=\"timeZone\" name=\"timeZone\" value=\"").Append(E(newZone)).Append("\">")
            .Append("<button type=\"submit\">Preview</button></form>")
            .Append("<form method=\"post\" action=\"").Append(ScheduleUrl(h, name, "/edit")).Append("\">").Append(Antiforgery(h))
            .Append("<input type=\"hidden\" name=\"etag\" value=\"").Append(E(ScheduleVersion.ETag(status))).Append("\">")
            .Append("<input type=\"hidden\" name=\"cron\" value=\"").Append(E(newCron)).Append("\"><input type=\"hidden\" name=\"timeZone\" value=\"").Append(E(newZone)).Append("\">")
            .Append("<button type=\"submit\">Save</button></form>");
        return Page(h, $"Edit {d.Name}", b.ToString());
    }

    private static async Task<IResult> EditAsync(HttpContext h, string name)
    {
        var form = await h.Request.ReadFormAsync();
        var ops = Ops(h);
        var etag = form["etag"].ToString();
        var current = await ops.GetAsync(name);
        var quoted = Forms.Name(name);
        if (form["cron"].ToString().Trim() is { Length: > 0 } cron && cron != current.Definition.Cron)
        {
            current = await ops.AlterAsync(name, $"ALTER SCHEDULE {quoted} SET CRON {Literal(cron)}", etag);
            etag = ScheduleVersion.ETag(current);
        }

        if (form["timeZone"].ToString().Trim() is { Length: > 0 } zone && zone != current.Definition.TimeZone)
        {
            await ops.AlterAsync(name, $"ALTER SCHEDULE {quoted} SET TIMEZONE {Literal(zone)}", etag);
        }

        return Results.Redirect(h.Request.PathBase + "/schedules/" + Uri.EscapeDataString(name) + "?done=edited");
    }

    /// <summary>Runs an action from a form; back to the schedule's page with a fixed notice, or an error page saying why not.</summary>
    private static async Task<IResult> Act(HttpContext h, string name, string done, Func<IFormCollection, Task> action)
    {
        var form = await h.Request.ReadFormAsync();
        await action(form);
        return Results.Redirect(h.Request.PathBase + "/schedules/" + Uri.EscapeDataString(name) + "?done=" + done);
    }

    private static string Option(string value, string label, string? selected) =>
        $"<option value=\"{E(value)}\"{(value == (selected ?? "") ? " selected" : "")}>{E(label)}</option>";

    private static string PageUrl(HttpContext h, ScheduleListQuery q, int page) =>
        E($"{h.Request.PathBase}/schedules?q={Uri.EscapeDataString(q.Search ?? "")}&filter={q.Filter}&sort={q.Sort}&page={page}");

    private static string Offset(TimeSpan offset) => (offset < TimeSpan.Zero ? "-" : "+") + offset.ToString(@"hh\:mm", CultureInfo.InvariantCulture);

    /// <summary>The optional resume time of the pause form; a value that is not an instant is refused, naming it.</summary>
    private static DateTimeOffset? ResumeAt(string? text) =>
        string.IsNullOrWhiteSpace(text) ? null
        : NodeDb.Orleans.Client.Commands.CommandArguments.TryInstant(text)
          ?? throw new UsageException($"resumeAt '{text}' is invalid: expected an ISO 8601 instant such as 2026-12-01T06:00:00Z.");

}
