using System.Diagnostics;
using NodeDb.Orleans.Grains.Diagnostics;
using NodeDb.Orleans.Silo.Telemetry;
using NodeDb.Orleans.Tests.Cluster;
using NodeDb.Orleans.Tests.Firing;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace NodeDb.Orleans.Tests.Telemetry;

/// <summary>
/// A schedule's runs seen through OpenTelemetry's in-memory exporter, with the silo's own source and meter selection
/// (<see cref="SiloTelemetry"/>): the run-attempt span with its attributes, its SQLite child span, and the metrics.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class RunTelemetryTests
{
    private const string Body = "BEGIN CREATE TABLE IF NOT EXISTS ticks (at TEXT NOT NULL); INSERT INTO ticks (at) VALUES ('x'); END";

    [Fact]
    public async Task A_run_has_an_attempt_span_with_a_database_child_span_and_is_counted()
    {
        var tenant = $"otel{Guid.NewGuid():N}"[..16];
        var spans = new Captured<Activity>();
        var metrics = new Captured<Metric>();
        using var tracing = Sdk.CreateTracerProviderBuilder().AddNodeDbTracing().AddInMemoryExporter(spans).Build();
        using var meters = Sdk.CreateMeterProviderBuilder().AddNodeDbMetrics(new TelemetrySettings()).AddInMemoryExporter(metrics).Build();

        await using var cluster = await SchedulerCluster.StartAsync(
            silos: 1,
            storage: (silo, data) =>
            {
                SchedulerCluster.SqliteStorage(silo, data);
                silo.AddActivityPropagation(); // as the silo's Program does: grain calls carry spans
            },
            sqlRunner: true);
        await cluster.CreateAsync(tenant, "ticker", "* * * * * *", d => d with { Body = Body });
        await cluster.CreateAsync(tenant, "broken", "* * * * * *", d => d with
        {
            Body = "BEGIN CREATE TABLE IF NOT EXISTS t (v INTEGER NOT NULL); INSERT INTO t VALUES (NULL); END",
        });
        await cluster.AdvanceAsync(TimeSpan.Zero);
        tracing.ForceFlush();
        meters.ForceFlush();

        var run = Assert.Single(await cluster.HistoryAsync(tenant, "ticker"));
        var attempts = spans.Where(s => s.OperationName == SchedulerActivities.AttemptSpanName && Tag(s, SchedulerTags.Tenant) == tenant).ToList();
        var attempt = Assert.Single(attempts, s => Tag(s, SchedulerTags.Schedule) == "ticker");
        Assert.Equal(SchedulerActivities.SourceName, attempt.Source.Name);
        Assert.Equal(run.RunId, Tag(attempt, SchedulerTags.RunId));
        Assert.Equal("Cron", Tag(attempt, SchedulerTags.Trigger));
        Assert.Equal(run.ScheduledAt!.Value.UtcDateTime.ToString("O"), Tag(attempt, SchedulerTags.ScheduledAt));
        Assert.Equal(1, attempt.GetTagItem(SchedulerTags.Attempt));
        Assert.Equal("Succeeded", Tag(attempt, SchedulerTags.Outcome));
        Assert.Null(Tag(attempt, SchedulerTags.ErrorType));
        Assert.Equal(default, attempt.ParentSpanId);

        // Linked to the claim: the grain call of the tick that claimed the occurrence (Orleans' span of TickAsync).
        var link = Assert.Single(attempt.Links);
        var claim = Assert.Single(spans, s => s.SpanId == link.Context.SpanId);
        Assert.StartsWith("Microsoft.Orleans", claim.Source.Name, StringComparison.Ordinal);
        Assert.Contains("TickAsync", claim.DisplayName, StringComparison.Ordinal);

        var database = Assert.Single(spans, s => s.ParentSpanId == attempt.SpanId);
        Assert.Equal(SchedulerActivities.SqliteSourceName, database.Source.Name);
        Assert.Equal(attempt.TraceId, database.TraceId);
        Assert.Equal(ActivityKind.Client, database.Kind);
        Assert.Equal("sqlite", Tag(database, "db.system.name"));
        Assert.Equal(tenant, Tag(database, "db.namespace"));

        var failed = Assert.Single(attempts, s => Tag(s, SchedulerTags.Schedule) == "broken");
        Assert.Equal("Failed", Tag(failed, SchedulerTags.Outcome));
        Assert.Equal("SQLITE_19", Tag(failed, SchedulerTags.ErrorType)); // a constraint violation
        Assert.Equal(ActivityStatusCode.Error, failed.Status);
        var failedDatabase = Assert.Single(spans, s => s.ParentSpanId == failed.SpanId);
        Assert.Equal(ActivityStatusCode.Error, failedDatabase.Status);

        Assert.Equal(1, Sum(metrics, "nodedb.scheduler.runs", tenant, "Succeeded"));
        Assert.Equal(1, Sum(metrics, "nodedb.scheduler.runs", tenant, "Failed"));
        Assert.Equal(2, HistogramCount(metrics, "nodedb.scheduler.run.duration", tenant));
        Assert.Equal(2, HistogramCount(metrics, "nodedb.scheduler.run.start_lateness", tenant));
        Assert.True(HistogramCount(metrics, "nodedb.scheduler.claim.write.duration", null) >= 4, "claims and completions of both schedules are state writes");
        Assert.True(HistogramCount(metrics, "nodedb.scheduler.history.write.duration", null) >= 1);
        Assert.Equal("s", metrics.First(m => m.Name == "nodedb.scheduler.run.duration").Unit);
        Assert.Contains(metrics, m => m.Name == "nodedb.scheduler.schedules.active");
        Assert.Contains(metrics, m => m.Name == "nodedb.scheduler.slots.limit");
    }

    private static string? Tag(Activity span, string key) => span.GetTagItem(key)?.ToString();

    private static IEnumerable<MetricPoint> Points(IEnumerable<Metric> metrics, string name)
    {
        foreach (var metric in metrics.Where(m => m.Name == name))
        {
            foreach (var point in metric.GetMetricPoints())
            {
                yield return point;
            }
        }
    }

    private static bool Has(MetricPoint point, string key, string value)
    {
        foreach (var tag in point.Tags)
        {
            if (tag.Key == key && tag.Value?.ToString() == value)
            {
                return true;
            }
        }

        return false;
    }

    private static long Sum(IEnumerable<Metric> metrics, string name, string tenant, string outcome) =>
        Points(metrics, name).Where(p => Has(p, SchedulerTags.Tenant, tenant) && Has(p, SchedulerTags.Outcome, outcome)).Sum(p => p.GetSumLong());

    private static long HistogramCount(IEnumerable<Metric> metrics, string name, string? tenant) =>
        Points(metrics, name).Where(p => tenant is null || Has(p, SchedulerTags.Tenant, tenant)).Sum(p => p.GetHistogramCount());
}
