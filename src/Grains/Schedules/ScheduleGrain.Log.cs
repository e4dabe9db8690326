using Microsoft.Extensions.Logging;

namespace NodeDb.Orleans.Grains.Schedules;

public sealed partial class ScheduleGrain
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug, Message = "Schedule {Key} created with cron '{Cron}'")]
    private static partial void LogCreated(ILogger logger, string key, string cron);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Debug, Message = "Schedule {Key} triggered by {By}")]
    private static partial void LogTriggered(ILogger logger, string key, string by);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Writing the state of schedule {Key} failed; deactivating so storage decides")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, string key);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "Appending {Count} history rows of schedule {Key} failed; they stay in the outbox")]
    private static partial void LogHistoryAppendFailed(ILogger logger, Exception exception, string key, int count);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "Dispatching run {RunId} to silo {Silo} failed")]
    private static partial void LogDispatchFailed(ILogger logger, Exception exception, string runId, string silo);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Warning, Message = "Could not settle orphaned run {RunId} from the ledger yet")]
    private static partial void LogSettleFailed(ILogger logger, Exception exception, string runId);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Information, Message = "Orphaned run {RunId}: {Outcome}")]
    private static partial void LogRecovered(ILogger logger, string runId, string outcome);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Debug, Message = "Schedule {Key} handed over to silo {Silo} with {Count} runs not yet started")]
    private static partial void LogHandedOff(ILogger logger, string key, string silo, int count);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Information, Message = "Schedule {Key} resumed by itself: its pause ended at {At}")]
    private static partial void LogResumed(ILogger logger, string key, DateTimeOffset at);

    [LoggerMessage(EventId = 3020, Level = LogLevel.Information, Message = "Schedule {Key}: {Count} occurrences from {From} to {To} backfilled by {By}")]
    private static partial void LogBackfilled(ILogger logger, string key, int count, DateTimeOffset from, DateTimeOffset to, string by);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Warning, Message = "Schedule {Key} could not record silo {Silo} as its host in the wake registry; it retries at its next tick, and until then a death of this silo leaves it to its reminder")]
    private static partial void LogHostNotRecorded(ILogger logger, Exception exception, string key, string silo);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Warning, Message = "Schedule {Key}: {Step} held its turn for {ElapsedMs:F0} ms; it fired nothing meanwhile")]
    private static partial void LogSlowStep(ILogger logger, string key, string step, double elapsedMs);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Information, Message = "Schedule {Key} lost its activation ({Reason}: {Description}); poking it again in a second")]
    private static partial void LogDeactivated(ILogger logger, string key, string reason, string description);
}
