using System.Net;
using NodeDb.Orleans.Tests.Processes;

namespace NodeDb.Orleans.Tests.Telemetry;

/// <summary>The admin listener of a real silo process (<c>--demo</c>, embedded profile): health endpoints and Prometheus text.</summary>
[Collection(Firing.ClusterCollection.Name)]
public sealed class AdminEndpointTests
{
    [Fact]
    public async Task The_metrics_endpoint_serves_the_scheduler_instruments_in_Prometheus_text()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = Directory.CreateTempSubdirectory("nodedb-admin-").FullName;
        try
        {
            await using var silo = await SiloProcess.StartAsync("admin", ["--data-dir", data, "--demo"]);
            using var http = new HttpClient { BaseAddress = silo.AdminUri, Timeout = TimeSpan.FromSeconds(10) };

            using var live = await http.GetAsync("/health/live", ct);
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);

            // The demo schedule fires every 5 seconds; its first run puts the per-run series on the page.
            var text = "";
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(TimeSpan.FromSeconds(60));
            while (!text.Contains("nodedb_scheduler_runs_total{", StringComparison.Ordinal))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), limit.Token);
                using var response = await http.GetAsync("/metrics", limit.Token);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
                text = await response.Content.ReadAsStringAsync(limit.Token);
            }

            Assert.Contains("# TYPE nodedb_scheduler_runs_total counter", text, StringComparison.Ordinal);
            Assert.Matches("nodedb_scheduler_runs_total\\{[^}]*nodedb_run_outcome=\"Succeeded\"[^}]*nodedb_tenant=\"demo\"", text);
            Assert.Contains("# TYPE nodedb_scheduler_run_duration_seconds histogram", text, StringComparison.Ordinal);
            Assert.Contains("# TYPE nodedb_scheduler_run_start_lateness_seconds histogram", text, StringComparison.Ordinal);
            Assert.Contains("# TYPE nodedb_scheduler_claim_write_duration_seconds histogram", text, StringComparison.Ordinal);
            Assert.Contains("nodedb_scheduler_schedules_active", text, StringComparison.Ordinal);
            Assert.Contains("nodedb_scheduler_slots_limit", text, StringComparison.Ordinal);
            Assert.Contains("nodedb_scheduler_slots_used", text, StringComparison.Ordinal);

            using var ready = await http.GetAsync("/health/ready", ct);
            var report = await ready.Content.ReadAsStringAsync(ct);
            Assert.True(ready.StatusCode == HttpStatusCode.OK, report);
            Assert.Contains("\"tick-loop\":{\"status\":\"Healthy\"", report, StringComparison.Ordinal);
        }
        finally
        {
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
                // A file still held; the temp folder is cleaned by the OS.
            }
        }
    }
}
