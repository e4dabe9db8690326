using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace NodeDb.Orleans.Tests.Web;

/// <summary>
/// The cluster view's per-silo load and the DDL check (a dry run of CREATE SCHEDULE) through the HTTP API, against the
/// real silo process: the silo's own counters and parser answer, and a check creates nothing.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class ClusterAndCheckApiTests(WebFixture web)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_cluster_lists_each_silo_with_the_schedules_it_hosts_its_slots_and_its_queue()
    {
        using var reader = web.Api(web.ReaderA);
        var before = await SiloAsync(reader);
        Assert.Equal("active", before["status"]!.GetValue<string>());
        Assert.Contains(":", before["address"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(before["error"]);

        // The silo's tick index grows by the schedule created: the count is the silo's, not the web process's.
        await web.CreateAsync("CREATE SCHEDULE hosted1 CRON '0 0 1 1 *' AS BEGIN SELECT 1; END");
        var after = await SiloAsync(reader);
        Assert.True(after["schedulesHosted"]!.GetValue<int>() > before["schedulesHosted"]!.GetValue<int>(), $"before {before}, after {after}");

        // The embedded silo's cap (Scheduler:MaxConcurrentJobs, 32 by default); nothing is queued or running on an idle silo
        // beyond what its cap allows.
        Assert.Equal(32, after["slots"]!.GetValue<int>());
        Assert.InRange(after["running"]!.GetValue<int>(), 0, 32);
        Assert.True(after["queued"]!.GetValue<int>() >= 0 && after["held"]!.GetValue<int>() >= 0, after.ToJsonString());

        // Tenant B's reader sees the same cluster-wide counts: they name no tenant.
        using var b = web.Api(web.AdminB);
        var fromB = (await b.GetFromJsonAsync<JsonObject>("/api/v1/cluster", Ct))!;
        Assert.DoesNotContain("hosted1", fromB.ToJsonString(), StringComparison.Ordinal);
        Assert.Single(fromB["silos"]!.AsArray());
    }

    [Fact]
    public async Task A_dry_run_gives_the_parsers_error_with_its_position_and_a_valid_statement_creates_nothing()
    {
        using var reader = web.Api(web.ReaderA);

        // A bad cron: the silo's cron reader says why, and where the cron stands in the statement.
        var (status, bad) = await DryRunAsync(reader, "CREATE SCHEDULE dry1 CRON '61 * * * *' AS BEGIN SELECT 1; END");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_cron", bad["code"]!.GetValue<string>());
        Assert.Contains("61 * * * *", bad["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal((1, 27), (bad["line"]!.GetValue<int>(), bad["column"]!.GetValue<int>()));

        // A syntax error on the second line: the parser's message and position.
        (status, bad) = await DryRunAsync(reader, "CREATE SCHEDULE dry2 CRON '0 0 1 1 *'\n  EVERY DAY AS BEGIN SELECT 1; END");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("syntax_error", bad["code"]!.GetValue<string>());
        Assert.Contains("'EVERY' at 2:3", bad["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal((2, 3), (bad["line"]!.GetValue<int>(), bad["column"]!.GetValue<int>()));

        // A body the guard refuses: 422 as the create would answer, the next fire times known, the statement placed in the text.
        (status, bad) = await DryRunAsync(reader, "CREATE SCHEDULE dry3 CRON '0 0 1 1 *' AS BEGIN\n  SELECT * FROM t;\nEND");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal("body_rejected", bad["code"]!.GetValue<string>());
        Assert.Equal((2, 3), (bad["line"]!.GetValue<int>(), bad["column"]!.GetValue<int>()));
        Assert.Contains("SELECT * FROM t", bad["body"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(5, bad["next"]!.AsArray().Count);

        // A valid statement: its next fire times in its zone and the body guard's verdict, and no schedule.
        var (okStatus, ok) = await DryRunAsync(reader, "CREATE SCHEDULE dry-ok CRON '30 2 * * *' TIMEZONE 'Europe/Berlin' AS BEGIN SELECT 1; END");
        Assert.Equal(HttpStatusCode.OK, okStatus);
        Assert.True(ok["valid"]!.GetValue<bool>());
        Assert.Equal("dry-ok", ok["name"]!.GetValue<string>());
        Assert.Equal("Europe/Berlin", ok["zone"]!.GetValue<string>());
        Assert.Equal("accepted", ok["body"]!.GetValue<string>());
        var next = ok["next"]!.AsArray().Select(n => DateTimeOffset.Parse(n!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(5, next.Count);
        Assert.All(next, n => Assert.Equal((2, 30), (n.Hour, n.Minute)));
        using var admin = web.Api(web.AdminA);
        using var gone = await admin.GetAsync("/api/v1/schedules/dry-ok", Ct);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        var audit = (await admin.GetFromJsonAsync<JsonArray>("/api/v1/audit?limit=500", Ct))!;
        Assert.DoesNotContain(audit, e => e!["target"]?.ToString().Contains("dry-ok", StringComparison.Ordinal) == true);

        // An edit has no dry run: refused (not ignored), and the schedule is as it was.
        var existing = await web.CreateAsync("CREATE SCHEDULE dry-edit CRON '0 0 1 1 *' AS BEGIN SELECT 1; END");
        using var put = new HttpRequestMessage(HttpMethod.Put, "/api/v1/schedules/dry-edit")
        {
            Content = JsonContent.Create(new { ddl = "ALTER SCHEDULE dry-edit SET CRON '0 0 2 1 *'", dryRun = true }),
        };
        put.Headers.TryAddWithoutValidation("If-Match", "*");
        using var refused = await admin.SendAsync(put, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("dryRun", await refused.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(existing["cron"]!.GetValue<string>(), (await admin.GetFromJsonAsync<JsonObject>("/api/v1/schedules/dry-edit", Ct))!["cron"]!.GetValue<string>());
    }

    private static async Task<JsonObject> SiloAsync(HttpClient http)
    {
        var cluster = (await http.GetFromJsonAsync<JsonObject>("/api/v1/cluster", Ct))!;
        return Assert.Single(cluster["silos"]!.AsArray())!.AsObject();
    }

    private static async Task<(HttpStatusCode Status, JsonObject Body)> DryRunAsync(HttpClient http, string ddl)
    {
        using var response = await http.PostAsJsonAsync("/api/v1/schedules", new { ddl, dryRun = true }, Ct);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!.AsObject());
    }
}
