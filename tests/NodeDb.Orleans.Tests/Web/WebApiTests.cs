using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace NodeDb.Orleans.Tests.Web;

/// <summary>
/// The HTTP API against a real silo process: every endpoint with each role of a tenant (the silo's filter decides, the
/// web process passes the caller's key), problem details, ETag/If-Match, required reasons, backfill dry-runs, tenant
/// isolation, live events, the OpenAPI document and base paths.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class WebApiTests(WebFixture web)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed record Row(string Method, string Path, object? Body, int Least, HttpStatusCode Ok, string? IfMatch = null);

    [Fact]
    public async Task Every_endpoint_answers_each_role_as_the_silo_decides()
    {
        await web.CreateAsync("CREATE SCHEDULE m1 CRON '0 0 1 1 *' AS BEGIN SELECT 1; END");
        var past = DateTimeOffset.UtcNow.AddHours(-3);
        var callers = new (string Name, string? Key, int Rank)[]
        {
            ("anonymous", null, 0), ("reader", web.ReaderA, 1), ("operator", web.OperatorA, 2), ("admin", web.AdminA, 3),
        };
        var checkedCalls = 0;
        foreach (var (who, key, rank) in callers)
        {
            using var http = web.Api(key);
            string? createdKeyId = null;
            Row[] rows =
            [
                new("GET", "/api/v1/whoami", null, 1, HttpStatusCode.OK),
                new("GET", "/api/v1/schedules?q=m&sort=next", null, 1, HttpStatusCode.OK),
                new("GET", "/api/v1/schedules/m1", null, 1, HttpStatusCode.OK),
                new("GET", "/api/v1/schedules/m1/runs?limit=5", null, 1, HttpStatusCode.OK),
                new("GET", "/api/v1/runs?status=Failed", null, 1, HttpStatusCode.OK),
                new("GET", "/api/v1/cron/preview?cron=30%202%20*%20*%20*&timeZone=Europe/Berlin&count=3", null, 1, HttpStatusCode.OK),
                new("GET", "/api/v1/cluster", null, 1, HttpStatusCode.OK),
                new("POST", "/api/v1/schedules/m1/backfill", new { from = past, to = past.AddHours(1), dryRun = true }, 1, HttpStatusCode.OK),
                new("POST", "/api/v1/schedules", new { ddl = $"CREATE SCHEDULE dry-{who} CRON '0 0 1 1 *' AS BEGIN SELECT 1; END", dryRun = true }, 1, HttpStatusCode.OK),
                new("POST", "/api/v1/schedules/m1/pause", new { reason = "matrix " + who }, 2, HttpStatusCode.OK),
                new("POST", "/api/v1/schedules/m1/resume", null, 2, HttpStatusCode.OK),
                new("POST", "/api/v1/schedules/m1/trigger", null, 2, HttpStatusCode.Accepted),
                new("POST", "/api/v1/schedules/m1/backfill", new { from = past, to = past.AddHours(1) }, 2, HttpStatusCode.Accepted),
                new("POST", "/api/v1/schedules", new { ddl = $"CREATE SCHEDULE c-{who} CRON '0 0 1 1 *' AS BEGIN SELECT 1; END" }, 3, HttpStatusCode.Created),
                new("PUT", "/api/v1/schedules/m1", new { ddl = "ALTER SCHEDULE m1 SET CRON '0 0 2 1 *'" }, 3, HttpStatusCode.OK, IfMatch: "*"),
                new("DELETE", $"/api/v1/schedules/c-{who}", null, 3, HttpStatusCode.OK),
                new("GET", "/api/v1/audit?limit=5", null, 3, HttpStatusCode.OK),
                new("GET", "/api/v1/keys", null, 3, HttpStatusCode.OK),
                new("POST", "/api/v1/keys", new { principal = "made-by-" + who, role = "reader" }, 3, HttpStatusCode.Created),
                new("DELETE", "/api/v1/keys/{created}", null, 3, HttpStatusCode.OK),
            ];
            foreach (var row in rows)
            {
                var path = row.Path.Replace("{created}", createdKeyId ?? "k000000000000", StringComparison.Ordinal);
                var (status, body) = await SendAsync(http, row.Method, path, row.Body, row.IfMatch);
                var expected = key is null ? HttpStatusCode.Unauthorized : rank >= row.Least ? row.Ok : HttpStatusCode.Forbidden;
                Assert.True(expected == status, $"{who}: {row.Method} {path} answered {(int)status}, expected {(int)expected}: {body}");
                if (status >= HttpStatusCode.BadRequest)
                {
                    // Refusals are problem details with the CLI's codes, and the code is the silo's.
                    var problem = JsonNode.Parse(body)!;
                    Assert.Equal(key is null ? "unauthenticated" : "permission_denied", problem["code"]!.GetValue<string>());
                    Assert.Equal("urn:nodedb:error:" + problem["code"]!.GetValue<string>(), problem["type"]!.GetValue<string>());
                }
                else if (row.Method == "POST" && row.Path == "/api/v1/keys")
                {
                    createdKeyId = JsonNode.Parse(body)!["id"]!.GetValue<string>();
                }

                checkedCalls++;
            }
        }

        Assert.Equal(4 * 20, checkedCalls);

        // The silo recorded the web's calls as the keys' own principals.
        using var admin = web.Api(web.AdminA);
        var audit = (await admin.GetFromJsonAsync<JsonArray>("/api/v1/audit?limit=200", Ct))!;
        Assert.Contains(audit, e => e!["action"]!.GetValue<string>() == "IScheduleGrain.PauseAsync" && e["principal"]!.GetValue<string>() == "otto" && e["outcome"]!.GetValue<string>() == "accepted");
        Assert.Contains(audit, e => e!["action"]!.GetValue<string>() == "IScheduleGrain.PauseAsync" && e["principal"]!.GetValue<string>() == "rita" && e["outcome"]!.GetValue<string>() == "permission_denied");
    }

    [Fact]
    public async Task Edits_need_the_current_ETag_so_a_stale_edit_is_refused_and_changes_nothing()
    {
        await web.CreateAsync("CREATE SCHEDULE etag1 CRON '0 0 1 1 *' AS BEGIN SELECT 1; END");
        using var http = web.Api(web.AdminA);
        using var first = await http.GetAsync("/api/v1/schedules/etag1", Ct);
        var v1 = first.Headers.ETag!.Tag;

        var (missing, missingBody) = await SendAsync(http, "PUT", "/api/v1/schedules/etag1", new { ddl = "ALTER SCHEDULE etag1 SET CRON '0 0 2 1 *'" }, null);
        Assert.Equal((HttpStatusCode)428, missing);
        Assert.Equal("precondition_required", JsonNode.Parse(missingBody)!["code"]!.GetValue<string>());

        using var edit = new HttpRequestMessage(HttpMethod.Put, "/api/v1/schedules/etag1") { Content = JsonContent.Create(new { ddl = "ALTER SCHEDULE etag1 SET CRON '0 0 2 1 *'" }) };
        edit.Headers.TryAddWithoutValidation("If-Match", v1);
        using var edited = await http.SendAsync(edit, Ct);
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        var v2 = edited.Headers.ETag!.Tag;
        Assert.NotEqual(v1, v2);

        // A second operator still holding v1.
        var (stale, staleBody) = await SendAsync(http, "PUT", "/api/v1/schedules/etag1", new { ddl = "ALTER SCHEDULE etag1 SET CRON '0 0 3 1 *'" }, v1);
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale);
        Assert.Equal("edit_conflict", JsonNode.Parse(staleBody)!["code"]!.GetValue<string>());
        Assert.Equal("0 0 2 1 *", (await http.GetFromJsonAsync<JsonObject>("/api/v1/schedules/etag1", Ct))!["cron"]!.GetValue<string>());

        // An edit naming another schedule is refused before anything runs.
        var (other, _) = await SendAsync(http, "PUT", "/api/v1/schedules/etag1", new { ddl = "ALTER SCHEDULE m-other SET CRON '0 0 3 1 *'" }, v2);
        Assert.Equal(HttpStatusCode.BadRequest, other);
    }

    [Fact]
    public async Task Failures_are_problem_details_with_the_CLI_codes_naming_the_value()
    {
        using var http = web.Api(web.AdminA);
        using var missing = await http.GetAsync("/api/v1/schedules/nope-404", Ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType!.MediaType);
        var problem = (await missing.Content.ReadFromJsonAsync<JsonObject>(Ct))!;
        Assert.Equal("not_found", problem["code"]!.GetValue<string>());
        Assert.Contains("nope-404", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);

        var (badCron, badCronBody) = await SendAsync(http, "POST", "/api/v1/schedules", new { ddl = "CREATE SCHEDULE badcron CRON '61 * * * *' AS BEGIN SELECT 1; END" }, null);
        Assert.Equal(HttpStatusCode.BadRequest, badCron);
        Assert.Equal("invalid_cron", JsonNode.Parse(badCronBody)!["code"]!.GetValue<string>());
        Assert.Contains("61 * * * *", JsonNode.Parse(badCronBody)!["detail"]!.GetValue<string>(), StringComparison.Ordinal);

        using var notJson = new StringContent("{not json", System.Text.Encoding.UTF8, "application/json");
        using var unreadable = await http.PostAsync("/api/v1/schedules", notJson, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, unreadable.StatusCode);
        Assert.Equal("application/problem+json", unreadable.Content.Headers.ContentType?.MediaType);

        var (badFilter, badFilterBody) = await SendAsync(http, "GET", "/api/v1/schedules?filter=bogus", null, null);
        Assert.Equal(HttpStatusCode.BadRequest, badFilter);
        Assert.Contains("bogus", badFilterBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pause_needs_a_reason_and_shows_it()
    {
        await web.CreateAsync("CREATE SCHEDULE why1 CRON '0 0 1 1 *' AS BEGIN SELECT 1; END");
        using var http = web.Api(web.OperatorA);
        var (noReason, body) = await SendAsync(http, "POST", "/api/v1/schedules/why1/pause", new { reason = "  " }, null);
        Assert.Equal(HttpStatusCode.BadRequest, noReason);
        Assert.Contains("reason is required", body, StringComparison.Ordinal);
        Assert.False((await http.GetFromJsonAsync<JsonObject>("/api/v1/schedules/why1", Ct))!["paused"]!.GetValue<bool>());

        var (past, refusal) = await SendAsync(http, "POST", "/api/v1/schedules/why1/pause", new { reason = "disk full", resumeAt = "2001-01-01T00:00:00Z" }, null);
        Assert.Equal(HttpStatusCode.BadRequest, past);
        Assert.Contains("2001-01-01T00:00:00.0000000+00:00 is not in the future", refusal, StringComparison.Ordinal);

        var resumeAt = DateTimeOffset.UtcNow.AddDays(1);
        var (ok, paused) = await SendAsync(http, "POST", "/api/v1/schedules/why1/pause", new { reason = "disk full", resumeAt }, null);
        Assert.Equal(HttpStatusCode.OK, ok);
        var pause = JsonNode.Parse(paused)!["pause"]!;
        Assert.Equal("disk full", pause["note"]!.GetValue<string>());
        Assert.Equal("otto", pause["by"]!.GetValue<string>());
        Assert.Equal(resumeAt, DateTimeOffset.Parse(pause["resumeAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture), TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public async Task Backfill_dry_run_lists_the_occurrences_and_queues_nothing_then_the_real_one_runs_them()
    {
        await web.CreateAsync("CREATE SCHEDULE bf1 CRON '0 * * * *' TIMEZONE 'UTC' AS BEGIN SELECT 1; END");
        var hour = new DateTimeOffset(DateTimeOffset.UtcNow.Year, DateTimeOffset.UtcNow.Month, DateTimeOffset.UtcNow.Day, DateTimeOffset.UtcNow.Hour, 0, 0, TimeSpan.Zero);
        var from = hour.AddHours(-4);
        var to = hour.AddHours(-1);
        using var http = web.Api(web.OperatorA);
        var (dry, dryBody) = await SendAsync(http, "POST", "/api/v1/schedules/bf1/backfill", new { from, to, dryRun = true }, null);
        Assert.Equal(HttpStatusCode.OK, dry);
        var preview = JsonNode.Parse(dryBody)!;
        Assert.Equal(4, preview["count"]!.GetValue<int>());
        Assert.Equal(
            [from, from.AddHours(1), from.AddHours(2), to],
            preview["occurrences"]!.AsArray().Select(o => DateTimeOffset.Parse(o!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)));
        await Task.Delay(500, Ct);
        Assert.Empty((await http.GetFromJsonAsync<JsonArray>("/api/v1/schedules/bf1/runs", Ct))!);

        var (real, realBody) = await SendAsync(http, "POST", "/api/v1/schedules/bf1/backfill", new { from, to }, null);
        Assert.Equal(HttpStatusCode.Accepted, real);
        Assert.Equal(4, JsonNode.Parse(realBody)!["queued"]!.GetValue<int>());
        await Cluster.Until.TrueAsync(async () => (await http.GetFromJsonAsync<JsonArray>("/api/v1/schedules/bf1/runs", Ct))!.Count == 4, TimeSpan.FromSeconds(20));
        var runs = (await http.GetFromJsonAsync<JsonArray>("/api/v1/schedules/bf1/runs", Ct))!;
        Assert.All(runs, r => Assert.Equal("Backfill", r!["trigger"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Tenant_B_sees_nothing_of_tenant_A()
    {
        await web.CreateAsync("CREATE SCHEDULE secret-a CRON '0 0 1 1 *' AS BEGIN SELECT 1; END");
        using (var a = web.Api(web.AdminA))
        {
            await SendAsync(a, "POST", "/api/v1/schedules/secret-a/trigger", null, null);
        }

        using var b = web.Api(web.AdminB);
        var list = (await b.GetFromJsonAsync<JsonObject>("/api/v1/schedules", Ct))!;
        Assert.DoesNotContain("secret-a", list.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(b, "GET", "/api/v1/schedules/secret-a", null, null)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(b, "GET", "/api/v1/schedules/secret-a/runs", null, null)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(b, "POST", "/api/v1/schedules/secret-a/pause", new { reason = "mine now" }, null)).Status);
        Assert.DoesNotContain("secret-a", (await b.GetStringAsync("/api/v1/runs?limit=1000", Ct)), StringComparison.Ordinal);
        Assert.DoesNotContain("secret-a", (await b.GetStringAsync("/api/v1/audit?limit=1000", Ct)), StringComparison.Ordinal);

        // Naming tenant A does not help: the key says which tenant it acts for.
        var (named, namedBody) = await SendAsync(b, "GET", $"/api/v1/schedules?tenant={WebFixture.A}", null, null);
        Assert.Equal(HttpStatusCode.BadRequest, named);
        Assert.Contains($"acts for tenant '{WebFixture.B}' only", namedBody, StringComparison.Ordinal);

        // The control: a cluster-scope key naming tenant A sees it.
        using var cluster = web.Api(web.ClusterAdmin);
        Assert.Contains("secret-a", await cluster.GetStringAsync($"/api/v1/schedules?tenant={WebFixture.A}", Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Events_stream_a_triggered_run_live()
    {
        await web.CreateAsync("CREATE SCHEDULE sse1 CRON '0 0 1 1 *' AS BEGIN SELECT 1; END");
        using var http = web.Api(web.ReaderA);
        using var stream = await http.GetAsync("/api/v1/events?schedule=sse1", HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal("text/event-stream", stream.Content.Headers.ContentType!.MediaType);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync(Ct));
        Assert.Equal(": live", await reader.ReadLineAsync(Ct));

        using var op = web.Api(web.OperatorA);
        var (_, triggered) = await SendAsync(op, "POST", "/api/v1/schedules/sse1/trigger", null, null);
        var runId = JsonNode.Parse(triggered)!["runId"]!.GetValue<string>();

        using var guard = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        guard.CancelAfter(TimeSpan.FromSeconds(20));
        string? data = null;
        while (data is null && await reader.ReadLineAsync(guard.Token) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal) && line.Contains(runId, StringComparison.Ordinal))
            {
                data = line["data: ".Length..];
            }
        }

        Assert.NotNull(data);
        Assert.Equal("Manual", JsonNode.Parse(data)!["trigger"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_the_API_and_pages_follow_the_proxy_base_path()
    {
        using var http = web.Api(null);
        var doc = (await http.GetFromJsonAsync<JsonObject>("/openapi/v1.json", Ct))!;
        var paths = doc["paths"]!.AsObject();
        foreach (var path in new[] { "/api/v1/schedules", "/api/v1/schedules/{name}", "/api/v1/schedules/{name}/pause", "/api/v1/schedules/{name}/backfill", "/api/v1/cron/preview", "/api/v1/whoami", "/api/v1/keys", "/api/v1/audit", "/api/v1/cluster" })
        {
            Assert.True(paths.ContainsKey(path), $"{path} is missing from the OpenAPI document");
        }

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api-reference", Ct)).StatusCode);

        using var proxied = new HttpRequestMessage(HttpMethod.Get, "/signin");
        proxied.Headers.Add("X-Forwarded-Prefix", "/nodedb");
        using var page = await http.SendAsync(proxied, Ct);
        var html = await page.Content.ReadAsStringAsync(Ct);
        Assert.Contains("href=\"/nodedb/app.css\"", html, StringComparison.Ordinal);
        Assert.Contains("action=\"/nodedb/signin\"", html, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_next_occurrences_mark_the_DST_shift_the_silo_reports()
    {
        using var http = web.Api(web.ReaderA);
        var from = new DateTimeOffset(2026, 3, 27, 0, 0, 0, TimeSpan.Zero);
        var texts = (await http.GetFromJsonAsync<JsonArray>("/api/v1/cron/preview?cron=30%203%20*%20*%20*&timeZone=Europe/Berlin&from=2026-03-27T00:00:00Z&count=3", Ct))!
            .Select(o => DateTimeOffset.Parse(o!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal([TimeSpan.FromHours(1), TimeSpan.FromHours(1), TimeSpan.FromHours(2)], texts.Select(t => t.Offset));
        var html = NodeDb.Orleans.Client.Web.Ui.SchedulePages.Occurrences(new CronPreview { Zone = "Europe/Berlin", From = from.ToOffset(TimeSpan.FromHours(1)), Occurrences = [.. texts] });
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(html, "DST shift"));
        Assert.Contains("2026-03-29T03:30:00+02:00 <span class=\"dst\">DST shift +01:00 → +02:00</span>", System.Net.WebUtility.HtmlDecode(html), StringComparison.Ordinal);
    }

    private static async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpClient http, string method, string path, object? body, string? ifMatch)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        using var response = await http.SendAsync(request, Ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }
}
