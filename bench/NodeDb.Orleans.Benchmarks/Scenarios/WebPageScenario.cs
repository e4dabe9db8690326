using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using NodeDb.Orleans.Client.Connection;
using NodeDb.Orleans.Client.Web.Hosting;
using NodeDb.Orleans.Grains.Security;
using NodeDb.Orleans.Security;
using NodeDb.Orleans.Tests.Processes;

namespace NodeDb.Orleans.Benchmarks.Scenarios;

/// <summary>
/// W1: the dashboard's Schedules page of a tenant with 10,000 schedules. A real embedded silo process, the web app in
/// this process talking to it through its gateway, a signed-in session; the page's time is measured at the HTTP
/// client on loopback (an upper bound of the server's time), the first load's size as the bytes a browser fetches
/// (the page, its stylesheet and its script).
/// </summary>
public static partial class WebPageScenario
{
    private const string Tenant = "bench";

    public static async Task<ResultTable> RunAsync(BenchSettings settings, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(log);
        var count = settings.Mode == "tiny" ? 200 : 10_000;
        var key = KeyMaterial.NewKey(ApiKeyText.ClusterScope);
        var data = Directory.CreateTempSubdirectory("nodedb-bench-web-").FullName;
        await using var silo = await SiloProcess.StartAsync("bench-web",
            ["--data-dir", data, "--Security:BootstrapKey", key, "--Security:ClusterSecret", KeyMaterial.NewSecret() + KeyMaterial.NewSecret()]);

        var created = Stopwatch.StartNew();
        await using (var connection = await ClusterConnection.ConnectAsync(
            new ClientSettings { Gateway = IPEndPoint.Parse(silo.Gateway) }, TimeProvider.System, CancellationToken.None))
        {
            RequestContext.Set(ApiKeyPresenter.RequestContextKey, key);
            using var gate = new SemaphoreSlim(32);
            await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
            {
                await gate.WaitAsync();
                try
                {
                    await connection.Client.GetGrain<IScheduleGrain>(ScheduleKey.Of(Tenant, $"job-{i:D5}")).CreateAsync(new ScheduleDefinition
                    {
                        Tenant = Tenant, Name = $"job-{i:D5}", Cron = "0 0 1 1 *", Body = "BEGIN SELECT 1; END",
                    });
                }
                finally
                {
                    gate.Release();
                }
            }));
        }

        log.WriteLine($"W1: {count} schedules created in {created.Elapsed.TotalSeconds:0.0} s");
        var app = WebApp.Build(["--urls", "http://127.0.0.1:0", "--gateway", silo.Gateway]);
        await app.StartAsync();
        try
        {
            var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            using var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
            using var http = new HttpClient(handler) { BaseAddress = address };
            await SignInAsync(http, key);

            // Warm-up (JIT, the grains' activations), then the measured loads.
            await TimeAsync(http, "/schedules", 5);
            var page = await TimeAsync(http, "/schedules", 50);
            var searched = await TimeAsync(http, "/schedules?q=job-09", 20);
            using var api = new HttpClient { BaseAddress = address };
            api.DefaultRequestHeaders.Authorization = new("Bearer", key);
            await TimeAsync(api, $"/api/v1/schedules?tenant={Tenant}", 5);
            var json = await TimeAsync(api, $"/api/v1/schedules?tenant={Tenant}", 50);
            await TimeAsync(http, "/schedules?sort=next", 3);
            var sorted = await TimeAsync(http, "/schedules?sort=next", 20);
            var byStatus = await TimeAsync(http, "/schedules?sort=status", 20);
            var byLateness = await TimeAsync(http, "/schedules?sort=lateness", 20);
            var paused = await TimeAsync(http, "/schedules?filter=paused", 20);
            var late = await TimeAsync(http, "/schedules?filter=late&sort=lateness", 20);
            var jsonSorted = await TimeAsync(api, $"/api/v1/schedules?tenant={Tenant}&sort=next", 20);
            var before = await EveryStatusAsync(silo.Gateway, key, 5);
            long bytes = 0;
            foreach (var path in new[] { "/schedules", "/app.css", "/app.js" })
            {
                using var response = await http.GetAsync(path);
                bytes += (await response.Content.ReadAsByteArrayAsync()).Length + response.Headers.ToString().Length + response.Content.Headers.ToString().Length;
            }

            var table = new ResultTable($"W1 dashboard: Schedules page of a tenant with {count:N0} schedules", "–");
            table.Add("page of 50, p50 (ms)", page.P50, double.NaN, "≤ 100", page.P50 <= 100);
            table.Add("page of 50, p95 (ms)", page.P95, double.NaN, "≤ 100", page.P95 <= 100);
            table.Add("API page of 50 (JSON), p50 (ms)", json.P50, double.NaN, "≤ 100", json.P50 <= 100);
            table.Add("search by name, p50 (ms)", searched.P50, double.NaN);
            table.Add("sorted by next run, p50 (ms)", sorted.P50, double.NaN, "≤ 100", sorted.P50 <= 100);
            table.Add("sorted by next run, p95 (ms)", sorted.P95, double.NaN, "≤ 100", sorted.P95 <= 100);
            table.Add("sorted by last status, p50 (ms)", byStatus.P50, double.NaN, "≤ 100", byStatus.P50 <= 100);
            table.Add("sorted by lateness, p50 (ms)", byLateness.P50, double.NaN, "≤ 100", byLateness.P50 <= 100);
            table.Add("filter paused, p50 (ms)", paused.P50, double.NaN, "≤ 100", paused.P50 <= 100);
            table.Add("filter late, by lateness, p50 (ms)", late.P50, double.NaN, "≤ 100", late.P50 <= 100);
            table.Add("API sorted by next run, p50 (ms)", jsonSorted.P50, double.NaN, "≤ 100", jsonSorted.P50 <= 100);
            table.Add("before: every status read one call each (the old sorts' server work), p50 (ms)", before.P50, double.NaN);
            table.Add("first load (page + css + js), KB", bytes / 1024.0, double.NaN, "< 300", bytes < 300 * 1024);
            table.Add("creating the schedules through a client (s)", created.Elapsed.TotalSeconds, double.NaN);
            table.Note("Times at the HTTP client on loopback (they include the server's whole work: the tenant's name list, the page's statuses, the HTML). Sorts other than by name and filters are paged by the silo from the schedule summaries the silos keep (one call per silo), then the page's 50 statuses are read; 'before' times what they did until issue 12c: the name list and every schedule's status, one grain call each, through a client.");
            return table;
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    /// <summary>The old sorts' server work, as a baseline in the same run: the tenant's names, then every status, one call each.</summary>
    private static async Task<(double P50, double P95)> EveryStatusAsync(string gateway, string key, int times)
    {
        await using var connection = await ClusterConnection.ConnectAsync(
            new ClientSettings { Gateway = IPEndPoint.Parse(gateway) }, TimeProvider.System, CancellationToken.None);
        RequestContext.Set(ApiKeyPresenter.RequestContextKey, key);
        var samples = new List<double>(times);
        for (var i = 0; i < times + 1; i++)
        {
            var watch = Stopwatch.StartNew();
            var names = await connection.Client.GetGrain<ITenantSchedulesGrain>(Tenant).ListAsync();
            var statuses = await Task.WhenAll(names.Select(n => connection.Client.GetGrain<IScheduleGrain>(ScheduleKey.Of(Tenant, n)).GetStatusAsync()));
            if (i > 0)
            {
                // The first is a warm-up.
                samples.Add(watch.Elapsed.TotalMilliseconds);
            }

            GC.KeepAlive(statuses);
        }

        samples.Sort();
        return (samples[samples.Count / 2], samples[^1]);
    }

    private static async Task SignInAsync(HttpClient http, string key)
    {
        var form = await http.GetStringAsync("/signin");
        var token = AntiforgeryToken().Match(form).Groups[1].Value;
        using var content = new FormUrlEncodedContent(new Dictionary<string, string> { ["key"] = key, ["tenant"] = Tenant, ["__af"] = token });
        using var response = await http.PostAsync("/signin", content);
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"Sign-in failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    private static async Task<(double P50, double P95)> TimeAsync(HttpClient http, string path, int times)
    {
        var samples = new List<double>(times);
        for (var i = 0; i < times; i++)
        {
            var watch = Stopwatch.StartNew();
            using var response = await http.GetAsync(path);
            _ = await response.Content.ReadAsByteArrayAsync();
            samples.Add(watch.Elapsed.TotalMilliseconds);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}.");
            }
        }

        samples.Sort();
        return (samples[samples.Count / 2], samples[(int)Math.Min(samples.Count - 1, Math.Ceiling(samples.Count * 0.95) - 1)]);
    }

    [GeneratedRegex("name=\"__af\" value=\"([^\"]+)\"", RegexOptions.CultureInvariant)]
    private static partial Regex AntiforgeryToken();
}
