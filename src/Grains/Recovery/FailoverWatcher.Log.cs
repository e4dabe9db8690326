using Microsoft.Extensions.Logging;

namespace NodeDb.Orleans.Grains.Recovery;

public sealed partial class FailoverWatcher
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Silo {Silo} is dead (membership version {Version}); waking its schedules on the survivors")]
    private static partial void LogSiloDead(ILogger logger, string silo, long version);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Woke {Keys} schedules for {Cause} ({Failed} pokes failed) in {ElapsedMs:F0} ms")]
    private static partial void LogWoke(ILogger logger, string cause, int keys, int failed, double elapsedMs);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Error, Message = "Membership watch failed; dead silos' schedules now wait for their reminders")]
    private static partial void LogWatchFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Error, Message = "Waking schedules for {Cause} failed")]
    private static partial void LogWakeFailed(ILogger logger, Exception exception, string cause);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Debug, Message = "Claiming wake shard {Shard} failed (attempt {Attempt}); retrying")]
    private static partial void LogClaimRetry(ILogger logger, Exception exception, string shard, int attempt);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Debug, Message = "Poking schedule {Key} failed (attempt {Attempt}); retrying")]
    private static partial void LogPokeRetry(ILogger logger, Exception exception, string key, int attempt);

    [LoggerMessage(EventId = 4007, Level = LogLevel.Warning, Message = "Poking schedule {Key} failed; its reminder will wake it")]
    private static partial void LogPokeFailed(ILogger logger, Exception exception, string key);

    [LoggerMessage(EventId = 4008, Level = LogLevel.Information, Message = "This silo is the oldest active member at start; waking every registered schedule")]
    private static partial void LogClusterStart(ILogger logger);

    [LoggerMessage(EventId = 4009, Level = LogLevel.Warning, Message = "Claiming wake shard {Shard} for {Cause} failed every attempt; left unclaimed for another survivor")]
    private static partial void LogClaimFailed(ILogger logger, Exception exception, string shard, string cause);

    [LoggerMessage(EventId = 4010, Level = LogLevel.Warning, Message = "{Shards} wake shards could not be claimed for {Cause}; their schedules wait for another survivor's wake or their reminders")]
    private static partial void LogShardsUnclaimed(ILogger logger, string cause, int shards);
}
