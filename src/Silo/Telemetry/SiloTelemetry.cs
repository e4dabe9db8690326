using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NodeDb.Orleans.Grains.Diagnostics;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OrleansSources = Orleans.Diagnostics.ActivitySources;

namespace NodeDb.Orleans.Silo.Telemetry;

/// <summary>
/// The silo's OpenTelemetry: the scheduler's meter and spans, Orleans' and the runtime's, exported over OTLP when an
/// <c>OTEL_EXPORTER_OTLP_*ENDPOINT</c> variable is set, and always to the admin listener's Prometheus endpoint.
/// </summary>
public static class SiloTelemetry
{
    /// <summary>Orleans' meter (messaging, activations, storage, reminders).</summary>
    public const string OrleansMeterName = "Microsoft.Orleans";

    /// <summary>Any of these turns OTLP export on.</summary>
    private static readonly string[] OtlpVariables =
    [
        "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT",
    ];

    /// <summary>The instruments that carry the tenant, and so what the cardinality settings apply to.</summary>
    private static readonly string[] PerTenantInstruments =
        ["nodedb.scheduler.runs", "nodedb.scheduler.run.duration", "nodedb.scheduler.run.start_lateness"];

    /// <summary>The spans a silo records: run attempts, SQLite and PostgreSQL (Npgsql) calls, Orleans grain calls.</summary>
    public static TracerProviderBuilder AddNodeDbTracing(this TracerProviderBuilder tracing)
    {
        ArgumentNullException.ThrowIfNull(tracing);
        return tracing
            .AddSource(SchedulerActivities.SourceName, SchedulerActivities.SqliteSourceName)
            .AddSource(OrleansSources.ApplicationGrainActivitySourceName, OrleansSources.RuntimeActivitySourceName)
            .AddNpgsql();
    }

    /// <summary>The meters a silo exports: the scheduler's, Orleans' and the .NET runtime's.</summary>
    public static MeterProviderBuilder AddNodeDbMetrics(this MeterProviderBuilder metrics, TelemetrySettings settings)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(settings);
        metrics.AddMeter(SchedulerInstruments.MeterName, OrleansMeterName).AddRuntimeInstrumentation();
        foreach (var name in PerTenantInstruments)
        {
            metrics.AddView(name, new MetricStreamConfiguration
            {
                CardinalityLimit = settings.MaxSeriesPerInstrument,
                TagKeys = settings.PerTenantMetrics ? null : [SchedulerTags.Outcome, SchedulerTags.Trigger],
            });
        }

        return metrics;
    }

    /// <summary>Adds OpenTelemetry to the silo's host; see docs/operations.md for the variables it reads.</summary>
    public static IHostApplicationBuilder AddNodeDbTelemetry(this IHostApplicationBuilder builder, string serviceInstanceId)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var settings = builder.Configuration.GetSection(TelemetrySettings.SectionName).Get<TelemetrySettings>() ?? new TelemetrySettings();
        settings.Validate();
        var config = builder.Configuration;
        var otlp = OtlpVariables.Any(v => !string.IsNullOrWhiteSpace(config[v]));

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(config["OTEL_SERVICE_NAME"] is { Length: > 0 } name ? name : "nodedb-silo", serviceInstanceId: serviceInstanceId))
            .WithMetrics(m => m.AddNodeDbMetrics(settings).AddPrometheusExporter());

        // Spans and OpenTelemetry log records exist only when something receives them: without a collector, the run
        // path creates no activities.
        if (otlp)
        {
            telemetry
                .WithTracing(t => t.AddNodeDbTracing())
                .WithLogging(configureBuilder: null, configureOptions: o =>
                {
                    // Log records carry the trace and span of the run they belong to, and the run's scope (tenant, schedule, run id).
                    o.IncludeScopes = true;
                    o.IncludeFormattedMessage = true;
                })

                // One OTLP exporter for every signal, configured by the standard variables, the per-signal ones included.
                .UseOtlpExporter();
        }

        return builder;
    }

}
