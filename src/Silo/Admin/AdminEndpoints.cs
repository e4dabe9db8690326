using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace NodeDb.Orleans.Silo.Admin;

/// <summary>
/// The admin listener's routes: <c>/health/live</c> (the process answers), <c>/health/ready</c> (membership, storage,
/// tick loop) and <c>/metrics</c> (Prometheus text). Nothing else is served on the admin port.
/// </summary>
public static class AdminEndpoints
{
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";
    public const string MetricsPath = "/metrics";

    public static WebApplication MapNodeDbAdmin(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        // Liveness runs no check: a silo that answers HTTP is alive. Restarting it because storage is down would not help.
        app.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync });
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions { Predicate = c => c.Tags.Contains(AdminHealthChecks.ReadyTag), ResponseWriter = WriteAsync });
        app.MapPrometheusScrapingEndpoint(MetricsPath);
        return app;
    }

    /// <summary>A small JSON report: the overall status and each check's status and reason, so an operator sees why.</summary>
    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(
                e => e.Key,
                e => new { status = e.Value.Status.ToString(), description = e.Value.Description, durationMs = Math.Round(e.Value.Duration.TotalMilliseconds, 1) }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body));
    }
}
