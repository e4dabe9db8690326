namespace NodeDb.Orleans.Grains.Diagnostics;

/// <summary>Attribute names shared by the scheduler's spans, metrics and log scopes.</summary>
public static class SchedulerTags
{
    public const string Tenant = "nodedb.tenant";
    public const string Schedule = "nodedb.schedule";
    public const string RunId = "nodedb.run.id";
    public const string Trigger = "nodedb.run.trigger";
    public const string ScheduledAt = "nodedb.run.scheduled_at";
    public const string Attempt = "nodedb.run.attempt";
    public const string Outcome = "nodedb.run.outcome";

    /// <summary>OpenTelemetry's general attribute for the class of an error (here: the exception type or a cause).</summary>
    public const string ErrorType = "error.type";

    /// <summary>Whether a history write carried one row or a batch (group commit).</summary>
    public const string Rows = "nodedb.history.rows";
}
