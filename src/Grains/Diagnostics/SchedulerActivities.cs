using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using NodeDb.Orleans.Grains.Running;

namespace NodeDb.Orleans.Grains.Diagnostics;

/// <summary>
/// The scheduler's spans: <see cref="SourceName"/> (one span per run attempt) and <see cref="SqliteSourceName"/> (the
/// SQLite transaction of an attempt, its database child span; PostgreSQL's comes from Npgsql's own source).
/// </summary>
/// <remarks>Sources cost nothing until a listener (an OpenTelemetry tracer provider) subscribes to them.</remarks>
public static class SchedulerActivities
{
    public const string SourceName = "NodeDb.Orleans.Scheduler";

    public const string SqliteSourceName = "NodeDb.Orleans.Sqlite";

    /// <summary>The name of the span of one run attempt.</summary>
    public const string AttemptSpanName = "nodedb.run.attempt";

    private static readonly string Version = typeof(SchedulerActivities).Assembly.GetName().Version?.ToString() ?? "0.0.0";

    internal static readonly ActivitySource Source = new(SourceName, Version);

    internal static readonly ActivitySource Sqlite = new(SqliteSourceName, Version);

    /// <summary>
    /// Starts the span of one attempt of <paramref name="request"/>. It is a root span linked to
    /// <paramref name="claim"/> (the grain call that claimed the occurrence, when one is known): an armed run starts
    /// seconds after its claim, and a trace per run keeps a schedule's traces small and separate.
    /// </summary>
    internal static Activity? StartAttempt(JobRequest request, int attempt, ActivityContext claim)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var tags = new ActivityTagsCollection
        {
            [SchedulerTags.Tenant] = request.Tenant,
            [SchedulerTags.Schedule] = request.Schedule,
            [SchedulerTags.RunId] = request.RunId,
            [SchedulerTags.Trigger] = request.Trigger.ToString(),
            [SchedulerTags.Attempt] = attempt,
        };
        if (request.ScheduledAt is { } scheduled)
        {
            tags[SchedulerTags.ScheduledAt] = scheduled.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
        }

        ActivityLink[]? links = claim == default ? null : [new ActivityLink(claim)];
        // A root span: the caller's flow (an async method, the runner's RunAsync) is where it becomes current, so the
        // attempt's database calls nest under it; the claim stays reachable through the link.
        Activity.Current = null;
        return Source.StartActivity(ActivityKind.Internal, parentContext: default, tags, links, name: AttemptSpanName);
    }

    /// <summary>Ends an attempt span with the run's outcome; <paramref name="error"/> sets <c>error.type</c> and the error status.</summary>
    internal static void End(Activity? span, string outcome, Exception? error = null, string? errorType = null, string? message = null)
    {
        if (span is null)
        {
            return;
        }

        span.SetTag(SchedulerTags.Outcome, outcome);
        if (error is not null || errorType is not null)
        {
            span.SetTag(SchedulerTags.ErrorType, errorType ?? ErrorType(error!));
            span.SetStatus(ActivityStatusCode.Error, message ?? error?.Message);
            if (error is not null)
            {
                span.AddException(error);
            }
        }

        span.Dispose();
    }

    /// <summary>The database class of an error: PostgreSQL's SQLSTATE, SQLite's primary result code (<c>SQLITE_19</c> is a constraint), else the exception type.</summary>
    internal static string ErrorType(Exception error)
    {
        var inner = error is Sql.Execution.StatementFailedException { InnerException: { } cause } ? cause : error;
        return inner switch
        {
            DbException { SqlState: { Length: > 0 } state } => state,
            Microsoft.Data.Sqlite.SqliteException sqlite => $"SQLITE_{sqlite.SqliteErrorCode}",
            _ => inner.GetType().FullName ?? inner.GetType().Name,
        };
    }

    /// <summary>Starts the client span of an attempt's SQLite transaction, a child of the attempt span.</summary>
    internal static Activity? StartSqliteTransaction(string tenant, string runId, int statements)
    {
        var span = Sqlite.StartActivity("sqlite transaction", ActivityKind.Client);
        if (span is not null)
        {
            span.SetTag("db.system.name", "sqlite");
            span.SetTag("db.namespace", tenant);
            span.SetTag("db.operation.name", "EXECUTE");
            span.SetTag("db.operation.batch.size", statements);
            span.SetTag(SchedulerTags.RunId, runId);
        }

        return span;
    }
}
