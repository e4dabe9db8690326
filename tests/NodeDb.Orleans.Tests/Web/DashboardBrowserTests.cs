using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace NodeDb.Orleans.Tests.Web;

/// <summary>
/// The dashboard in a real browser (headless Chromium from the Debian package, driven by Playwright) against a real
/// silo: the operator's day, what each role and tenant sees, hostile content, cross-site requests and accessibility.
/// Each test saves screenshots under TestResults/screenshots of the test output.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class DashboardBrowserTests(WebFixture web)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sign_in_create_in_the_form_watch_runs_arrive_live_backfill_with_preview_pause_and_read_history()
    {
        await using var context = await web.BrowserContextAsync();
        var page = await web.SignInAsync(context, web.AdminA);
        var dialogs = 0;
        page.Dialog += (_, d) => { dialogs++; _ = d.DismissAsync(); };
        await WebFixture.ScreenshotAsync(page, "schedules");

        await page.ClickAsync("a:has-text('New schedule')");
        await page.FillAsync("#name", "live1");

        // The form asks the silo's own cron reader as one types: an error names the value, a good one shows next runs.
        await page.FillAsync("#cron", "61 * * * *");
        await page.Locator("#cron-check.error").WaitForAsync();
        Assert.Contains("61", await page.Locator("#cron-check").InnerTextAsync(), StringComparison.Ordinal);
        await page.FillAsync("#cron", "* * * * * *");
        await page.Locator("#cron-check.ok li").First.WaitForAsync();
        await page.FillAsync("#body", "BEGIN\n  CREATE TABLE IF NOT EXISTS ticks (at TEXT);\n  INSERT INTO ticks VALUES (datetime('now'));\nEND");
        await page.ClickAsync("form#create button[type=submit]");
        await page.WaitForURLAsync("**/schedules/live1?done=created");

        // New runs appear without a reload (Server-Sent Events).
        await page.Locator("#runs tbody tr.fresh").First.WaitForAsync(new() { Timeout = 20_000 });
        Assert.Contains("Succeeded", await page.Locator("#runs tbody tr.fresh").First.InnerTextAsync(), StringComparison.Ordinal);
        await page.Locator("#runs tbody tr.fresh").Nth(1).WaitForAsync(new() { Timeout = 20_000 });
        Assert.Equal(10, await page.Locator("ol.occurrences li").CountAsync());
        await page.ReloadAsync();
        await page.Locator("#timeline svg polyline.duration").WaitForAsync();
        Assert.Equal(2, await page.Locator("#timeline svg polyline").CountAsync());
        await WebFixture.ScreenshotAsync(page, "schedule-live");

        var axe = await page.RunAxe();
        var serious = axe.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{v.Id}: {v.Help} ({v.Nodes.Length} nodes)").ToList();
        Assert.True(serious.Count == 0, "axe: " + string.Join("; ", serious));

        // Backfill: the preview lists the occurrences first; nothing runs until confirmed.
        var to = DateTimeOffset.UtcNow.AddMinutes(-10);
        var from = to.AddSeconds(-4);
        await page.FillAsync("#bf-from", from.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
        await page.FillAsync("#bf-to", to.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
        await page.ClickAsync("form.backfill button[type=submit]");
        await page.Locator("#backfill-preview").WaitForAsync();
        Assert.Equal(5, await page.Locator("#backfill-preview li").CountAsync());
        await WebFixture.ScreenshotAsync(page, "backfill-preview");
        await page.ClickAsync("#backfill-preview button[type=submit]");
        await page.WaitForURLAsync("**/schedules/live1?done=backfilled");
        using var api = web.Api(web.AdminA);
        await Cluster.Until.TrueAsync(async () =>
            (await api.GetFromJsonAsync<JsonArray>("/api/v1/schedules/live1/runs?limit=500", Ct))!.Count(r => r!["trigger"]!.GetValue<string>() == "Backfill") == 5,
            TimeSpan.FromSeconds(20));

        // Pause with a reason: shown on the page, and the runs stop.
        await page.FillAsync("#reason", "maintenance window");
        await page.ClickAsync("form:has(#reason) button[type=submit]");
        await page.WaitForURLAsync("**/schedules/live1?done=paused");
        Assert.Equal("maintenance window", await page.Locator("dd.note").InnerTextAsync());
        Assert.True(await page.Locator("button:has-text('Resume')").IsVisibleAsync());

        // Occurrences due while paused are recorded as skipped, and the timeline marks them.
        await Cluster.Until.TrueAsync(async () =>
            (await api.GetFromJsonAsync<JsonArray>("/api/v1/schedules/live1/runs?status=Skipped&limit=1", Ct))!.Count > 0, TimeSpan.FromSeconds(20));
        await page.ReloadAsync();
        await page.Locator("#timeline svg .marker").First.WaitForAsync();
        Assert.Contains("Skipped", await page.Locator("#timeline svg .marker title").First.TextContentAsync(), StringComparison.Ordinal);

        // History across the tenant, with the runs of the day.
        await page.ClickAsync("nav a:has-text('Runs')");
        await page.Locator("#runs tbody tr").First.WaitForAsync();
        Assert.Contains("live1", await page.Locator("#runs tbody").InnerTextAsync(), StringComparison.Ordinal);
        await WebFixture.ScreenshotAsync(page, "runs");
        Assert.Equal(0, dialogs);
    }

    [Fact]
    public async Task A_reader_sees_no_action_it_may_not_take_and_tenant_B_sees_nothing_of_tenant_A()
    {
        await web.CreateAsync("CREATE SCHEDULE shown-a CRON '0 0 1 1 *' AS BEGIN SELECT 1; END");

        await using (var readerContext = await web.BrowserContextAsync())
        {
            var reader = await web.SignInAsync(readerContext, web.ReaderA);
            Assert.Contains("shown-a", await reader.Locator("table.schedules").InnerTextAsync(), StringComparison.Ordinal);
            Assert.Equal(0, await reader.Locator("a:has-text('New schedule')").CountAsync());
            Assert.Equal(0, await reader.Locator("input[type=checkbox]").CountAsync());
            Assert.Equal(0, await reader.Locator("nav a:has-text('Keys'), nav a:has-text('Audit')").CountAsync());
            await reader.GotoAsync("/schedules/shown-a");
            Assert.Equal("0 0 1 1 *", await reader.Locator("dl.definition dd").First.InnerTextAsync());
            Assert.Equal(0, await reader.Locator("section.actions").CountAsync());
            // The only form a reader gets is signing out.
            Assert.Equal(1, await reader.Locator("form[method=post]").CountAsync());
            await WebFixture.ScreenshotAsync(reader, "reader");
        }

        await using var bContext = await web.BrowserContextAsync();
        var b = await web.SignInAsync(bContext, web.AdminB);
        Assert.DoesNotContain("shown-a", await b.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        var direct = await b.GotoAsync("/schedules/shown-a");
        Assert.Equal(404, direct!.Status);
        Assert.Contains($"does not exist in tenant '{WebFixture.B}'", await b.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        await b.GotoAsync("/runs");
        Assert.DoesNotContain("shown-a", await b.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        await WebFixture.ScreenshotAsync(b, "tenant-b");
    }

    [Fact]
    public async Task Hostile_names_notes_bodies_and_errors_render_as_inert_text()
    {
        const string body = "BEGIN SELECT '<script>window.__pwned=1</script>', '\"><img src=x onerror=window.__pwned=2>', 'javascript:window.__pwned=3'; " +
            "SELECT 1 FROM \"<img src=x onerror=window.__pwned=4>\" LIMIT 1; END";
        await web.CreateAsync($"CREATE SCHEDULE hostile CRON '0 0 1 1 *' AS {body}");
        using var api = web.Api(web.AdminA);
        const string note = "<script>window.__pwned=5</script> \"><img src=x onerror=window.__pwned=6> javascript:window.__pwned=7";
        (await api.PostAsJsonAsync("/api/v1/schedules/hostile/pause", new { reason = note }, Ct)).EnsureSuccessStatusCode();
        (await api.PostAsync("/api/v1/schedules/hostile/trigger", null, Ct)).EnsureSuccessStatusCode();
        await Cluster.Until.TrueAsync(async () => (await api.GetFromJsonAsync<JsonArray>("/api/v1/schedules/hostile/runs", Ct))!.Any(r => r!["error"] is not null), TimeSpan.FromSeconds(20));

        await using var context = await web.BrowserContextAsync();
        var page = await web.SignInAsync(context, web.AdminA);
        var dialogs = 0;
        page.Dialog += (_, d) => { dialogs++; _ = d.DismissAsync(); };
        await page.GotoAsync("/schedules/hostile");
        Assert.Contains("<script>window.__pwned=1</script>", await page.Locator("pre.sql").InnerTextAsync(), StringComparison.Ordinal);

        // The body is highlighted (spans made by the server), and the hostile literals are text inside those spans.
        Assert.Equal(body, await page.Locator("pre.sql code").InnerTextAsync());
        Assert.Equal("'<script>window.__pwned=1</script>'", await page.Locator("pre.sql .sql-s").First.InnerTextAsync());
        Assert.Equal("\"<img src=x onerror=window.__pwned=4>\"", await page.Locator("pre.sql .sql-q").InnerTextAsync());
        Assert.Equal(["BEGIN", "SELECT", "SELECT", "FROM", "LIMIT", "END"], await page.Locator("pre.sql .sql-k").AllInnerTextsAsync());
        Assert.Equal(0, await page.Locator("pre.sql script, pre.sql img").CountAsync());
        Assert.Equal(note, await page.Locator("dd.note").InnerTextAsync());
        Assert.Contains("onerror=window.__pwned=4", await page.Locator("#runs tbody").InnerTextAsync(), StringComparison.Ordinal);
        await AssertInertAsync(page);
        await WebFixture.ScreenshotAsync(page, "hostile");

        // A hostile name: the silo refuses it, and its message (which quotes the name) is text too.
        await page.GotoAsync("/schedules/new");
        await page.FillAsync("#name", "\"><img src=x onerror=window.__pwned=8>");
        await page.ClickAsync("form#create button[type=submit]");
        await page.Locator("p.error").WaitForAsync();
        Assert.Contains("onerror=window.__pwned=8", await page.Locator("p.error").InnerTextAsync(), StringComparison.Ordinal);
        await AssertInertAsync(page);
        Assert.Equal(0, dialogs);
    }

    [Fact]
    public async Task A_post_without_the_antiforgery_token_or_from_another_site_is_refused_and_changes_nothing()
    {
        await web.CreateAsync("CREATE SCHEDULE csrf1 CRON '0 0 1 1 *' AS BEGIN SELECT 1; END");
        using var api = web.Api(web.AdminA);
        await using var context = await web.BrowserContextAsync();
        var page = await web.SignInAsync(context, web.AdminA);

        // The session cookie alone (as a forged form would carry it, were it sent) is not enough.
        var forged = await context.APIRequest.PostAsync("/schedules/csrf1/pause", new APIRequestContextOptions
        {
            Form = context.APIRequest.CreateFormData().Set("reason", "forged"),
            Headers = new Dictionary<string, string> { ["Origin"] = "http://evil.example" },
            MaxRedirects = 0,
        });
        Assert.Equal(400, forged.Status);
        Assert.False((await api.GetFromJsonAsync<JsonObject>("/api/v1/schedules/csrf1", Ct))!["paused"]!.GetValue<bool>());

        // A real cross-site form: the SameSite=Strict cookie stays home, so it lands on the sign-in page.
        var evil = await context.NewPageAsync();
        await evil.SetContentAsync(
            $"<form id=f method=post action=\"{web.BaseUri}schedules/csrf1/pause\"><input name=reason value=forged></form>");
        // Waiting from before the submit, so a fast redirect cannot be missed; a loaded machine gets a minute.
        var landed = evil.WaitForURLAsync("**/signin", new() { Timeout = 60_000 });
        await evil.EvaluateAsync("() => document.getElementById('f').submit()");
        await landed;
        Assert.False((await api.GetFromJsonAsync<JsonObject>("/api/v1/schedules/csrf1", Ct))!["paused"]!.GetValue<bool>());

        // The control: the dashboard's own form, with its token, does pause.
        await page.GotoAsync("/schedules/csrf1");
        await page.FillAsync("#reason", "real");
        await page.ClickAsync("form:has(#reason) button[type=submit]");
        await page.WaitForURLAsync("**/schedules/csrf1?done=paused");
        Assert.True((await api.GetFromJsonAsync<JsonObject>("/api/v1/schedules/csrf1", Ct))!["paused"]!.GetValue<bool>());
        await WebFixture.ScreenshotAsync(evil, "cross-site");
    }

    [Fact]
    public async Task An_admin_edits_a_cron_seeing_fire_times_before_and_after_bulk_pauses_with_one_reason_and_manages_keys()
    {
        await web.CreateAsync("CREATE SCHEDULE edit1 CRON '30 1 * * *' TIMEZONE 'Europe/Berlin' AS BEGIN SELECT 1; END");
        await web.CreateAsync("CREATE SCHEDULE bulk1 CRON '0 0 1 1 *' AS BEGIN SELECT 1; END");
        await web.CreateAsync("CREATE SCHEDULE bulk2 CRON '0 0 1 1 *' AS BEGIN SELECT 1; END");
        using var api = web.Api(web.AdminA);
        await using var context = await web.BrowserContextAsync();
        var page = await web.SignInAsync(context, web.AdminA);

        await page.GotoAsync("/schedules/edit1/edit?cron=45%203%20*%20*%20*&timeZone=Europe/Berlin");
        var columns = page.Locator(".side-by-side section");
        Assert.Contains("01:30:00+01:00", await columns.Nth(0).InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("03:45:00+01:00", await columns.Nth(1).InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(10, await columns.Nth(1).Locator("li").CountAsync());
        await WebFixture.ScreenshotAsync(page, "edit");
        await page.ClickAsync("button:has-text('Save')");
        await page.WaitForURLAsync("**/schedules/edit1?done=edited");
        Assert.Equal("45 3 * * *", (await api.GetFromJsonAsync<JsonObject>("/api/v1/schedules/edit1", Ct))!["cron"]!.GetValue<string>());

        await page.GotoAsync("/schedules?q=bulk");
        await page.CheckAsync("input[value=bulk1]");
        await page.CheckAsync("input[value=bulk2]");
        await page.FillAsync("#bulk-reason", "release freeze");
        await page.ClickAsync("button[name=action][value=pause]");
        await page.WaitForURLAsync("**/schedules?done=bulk");
        foreach (var name in new[] { "bulk1", "bulk2" })
        {
            var status = (await api.GetFromJsonAsync<JsonObject>($"/api/v1/schedules/{name}", Ct))!;
            Assert.Equal("release freeze", status["pause"]!["note"]!.GetValue<string>());
        }

        await page.GotoAsync("/schedules?filter=paused");
        Assert.Contains("bulk1", await page.Locator("table.schedules").InnerTextAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("edit1", await page.Locator("table.schedules").InnerTextAsync(), StringComparison.Ordinal);

        await page.ClickAsync("nav a:has-text('Keys')");
        await page.FillAsync("#principal", "new-ops");
        await page.SelectOptionAsync("#role", "operator");
        await page.ClickAsync("button:has-text('Create key')");
        var secret = await page.Locator("#new-key").InnerTextAsync();
        using (var fresh = web.Api(secret))
        {
            Assert.Equal("operator", (await fresh.GetFromJsonAsync<JsonObject>("/api/v1/whoami", Ct))!["role"]!.GetValue<string>());
        }

        await page.GotoAsync("/keys");
        Assert.Equal(0, await page.Locator("#new-key").CountAsync());
        await page.ClickAsync("nav a:has-text('Audit')");
        Assert.Contains("IApiKeysGrain.CreateAsync", await page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        await WebFixture.ScreenshotAsync(page, "audit");
    }

    /// <summary>Nothing the page shows ran: no flag set, no image made of text, no script but the app's own.</summary>
    private static async Task AssertInertAsync(IPage page)
    {
        Assert.True(await page.EvaluateAsync<bool>("() => window.__pwned === undefined"), "hostile text ran as script");
        Assert.Equal(0, await page.Locator("main img").CountAsync());
        Assert.Equal(1, await page.Locator("script").CountAsync());
        Assert.Equal(0, await page.Locator("a[href^='javascript:']").CountAsync());
    }
}
