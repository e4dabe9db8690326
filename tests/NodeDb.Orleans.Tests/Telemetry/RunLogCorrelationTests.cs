using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodeDb.Orleans.Grains.Diagnostics;
using NodeDb.Orleans.Grains.Sql.Execution;
using NodeDb.Orleans.Silo.Telemetry;
using NodeDb.Orleans.Tests.Cluster;
using NodeDb.Orleans.Tests.Firing;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace NodeDb.Orleans.Tests.Telemetry;

/// <summary>
/// A run's log records carry its trace (the current activity, which OpenTelemetry's logger exports as trace and span
/// ids) and its run id (the logging scope), so a log line leads to the run's trace and history row.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class RunLogCorrelationTests
{
    [Fact]
    public async Task A_failed_run_logs_with_its_attempt_span_and_run_id()
    {
        var tenant = $"logs{Guid.NewGuid():N}"[..16];
        var spans = new Captured<Activity>();
        var records = new ConcurrentQueue<Captured>();
        using var tracing = Sdk.CreateTracerProviderBuilder().AddNodeDbTracing().AddInMemoryExporter(spans).Build();

        await using var cluster = await SchedulerCluster.StartAsync(
            silos: 1,
            storage: (silo, data) =>
            {
                SchedulerCluster.SqliteStorage(silo, data);
                silo.Services.AddLogging(b => b
                    .AddProvider(new CapturingProvider(records))
                    .AddFilter<CapturingProvider>(typeof(SqlJobRunner).FullName, LogLevel.Debug));
            },
            sqlRunner: true);
        await cluster.CreateAsync(tenant, "broken", "* * * * * *", d => d with
        {
            Body = "BEGIN CREATE TABLE IF NOT EXISTS t (v INTEGER NOT NULL); INSERT INTO t VALUES (NULL); END",
        });
        await cluster.AdvanceAsync(TimeSpan.Zero);
        tracing.ForceFlush();

        var run = Assert.Single(await cluster.HistoryAsync(tenant, "broken"));
        var attempt = Assert.Single(spans, s => s.OperationName == SchedulerActivities.AttemptSpanName && s.GetTagItem(SchedulerTags.RunId) as string == run.RunId);
        var record = Assert.Single(records, r => r.Scope.TryGetValue(SchedulerTags.RunId, out var id) && id as string == run.RunId);
        Assert.Equal(LogLevel.Debug, record.Level); // a failed run is the tenant's business: history and traces, not the console
        Assert.Equal(attempt.TraceId, record.TraceId);
        Assert.Equal(attempt.SpanId, record.SpanId);
        Assert.Equal(tenant, record.Scope[SchedulerTags.Tenant]);
        Assert.Equal("broken", record.Scope[SchedulerTags.Schedule]);
    }

    private sealed record Captured(LogLevel Level, ActivityTraceId TraceId, ActivitySpanId SpanId, IReadOnlyDictionary<string, object?> Scope);

    /// <summary>Records what OpenTelemetry's logger would take from a log call: the current activity and the scopes.</summary>
    private sealed class CapturingProvider(ConcurrentQueue<Captured> records) : ILoggerProvider, ISupportExternalScope
    {
        private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

        public ConcurrentQueue<Captured> Records { get; } = records;

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingProvider owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => owner._scopes.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var scope = new Dictionary<string, object?>(StringComparer.Ordinal);
                owner._scopes.ForEachScope(
                    (s, into) =>
                    {
                        if (s is IEnumerable<KeyValuePair<string, object?>> pairs)
                        {
                            foreach (var (key, value) in pairs)
                            {
                                into[key] = value;
                            }
                        }
                    },
                    scope);
                var current = Activity.Current;
                owner.Records.Enqueue(new Captured(logLevel, current?.TraceId ?? default, current?.SpanId ?? default, scope));
            }

        }
    }
}
