using System.Net;
using Deque.AxeCore.Playwright;

namespace NodeDb.Orleans.Tests.Web;

/// <summary>
/// In the browser against the real silo: the Cluster page shows each silo's load from the silo's own counters, and the
/// create form checks the whole statement with the silo's parser as one types, creating nothing.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class ClusterAndCheckBrowserTests(WebFixture web)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_cluster_page_shows_each_silo_with_schedules_hosted_slots_in_use_and_queue()
    {
        await web.CreateAsync("CREATE SCHEDULE on-silo CRON '0 0 1 1 *' AS BEGIN SELECT 1; END");
        await using var context = await web.BrowserContextAsync();
        var page = await web.SignInAsync(context, web.ReaderA);
        await page.ClickAsync("nav a:has-text('Cluster')");
        var rows = page.Locator("table#silos tbody tr");
        Assert.Equal(1, await rows.CountAsync());
        var cells = await rows.First.Locator("td").AllInnerTextsAsync();
        Assert.Equal("active", cells[2]);
        Assert.True(int.TryParse(cells[3], out var hosted) && hosted >= 1, $"schedules hosted: '{cells[3]}'");
        Assert.Matches(@"^\d+ of 32$", cells[4]);
        Assert.True(int.TryParse(cells[5], out _) && int.TryParse(cells[6], out _), string.Join(" | ", cells));
        await WebFixture.ScreenshotAsync(page, "cluster");

        var axe = await page.RunAxe();
        var serious = axe.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{v.Id}: {v.Help}").ToList();
        Assert.True(serious.Count == 0, "axe: " + string.Join("; ", serious));
    }

    [Fact]
    public async Task The_create_form_checks_the_whole_statement_as_one_types_and_creates_nothing()
    {
        await using var context = await web.BrowserContextAsync();
        var page = await web.SignInAsync(context, web.AdminA);
        await page.GotoAsync("/schedules/new");
        await page.FillAsync("#name", "typed1");
        await page.FillAsync("#cron", "0 3 * * *");

        // The body guard's verdict, placed in the statement (the form assembles CREATE SCHEDULE … AS <body>).
        await page.FillAsync("#body", "BEGIN\n  SELECT * FROM t;\nEND");
        var check = page.Locator("#ddl-check.error");
        await check.WaitForAsync();
        await Cluster.Until.TrueAsync(async () => (await check.InnerTextAsync()).Contains("line 2, column 3", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        Assert.Contains("Body guard: Statement 'SELECT * FROM t'", await check.InnerTextAsync(), StringComparison.Ordinal);

        // A bad option: the parser's own message, with its position.
        await page.FillAsync("#body", "BEGIN\n  SELECT 1;\nEND");
        await page.FillAsync("#options", "OVERLAP = SIDEWAYS");
        await Cluster.Until.TrueAsync(async () => (await page.Locator("#ddl-check").InnerTextAsync()).Contains("SIDEWAYS", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        Assert.Contains("line 1, column", await page.Locator("#ddl-check.error").InnerTextAsync(), StringComparison.Ordinal);

        // Fixed: valid, with its first run, and the body guard accepts the body.
        await page.FillAsync("#options", "OVERLAP = SKIP");
        await page.Locator("#ddl-check.ok").WaitForAsync();
        var ok = await page.Locator("#ddl-check").InnerTextAsync();
        Assert.Contains("valid, typed1 would be created", ok, StringComparison.Ordinal);
        Assert.Contains("Body guard: accepted", ok, StringComparison.Ordinal);
        await WebFixture.ScreenshotAsync(page, "create-check");

        // The body is highlighted as typed, by the server's tokenizer, and a hostile body stays text.
        Assert.Equal(["BEGIN", "SELECT", "END"], await page.Locator("#body-preview .sql-k").AllInnerTextsAsync());
        const string hostile = "BEGIN\n  SELECT '<img src=x onerror=window.__pwned=9>' AS \"<script>window.__pwned=10</script>\";\nEND";
        await page.FillAsync("#body", hostile);
        await Cluster.Until.TrueAsync(async () => (await page.Locator("#body-preview .sql-s").CountAsync()) == 1, TimeSpan.FromSeconds(10));
        // (A form sends a textarea's line breaks as CR LF.)
        Assert.Equal(hostile, (await page.Locator("#body-preview code").InnerTextAsync()).Replace("\r\n", "\n", StringComparison.Ordinal));
        Assert.Equal("'<img src=x onerror=window.__pwned=9>'", await page.Locator("#body-preview .sql-s").InnerTextAsync());
        Assert.Equal(0, await page.Locator("#body-preview img, #body-preview script").CountAsync());
        Assert.True(await page.EvaluateAsync<bool>("() => window.__pwned === undefined"), "hostile text ran as script");

        // Checking created nothing.
        using var api = web.Api(web.AdminA);
        using var response = await api.GetAsync("/api/v1/schedules/typed1", Ct);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
