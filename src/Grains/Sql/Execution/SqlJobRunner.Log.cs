using Microsoft.Extensions.Logging;

namespace NodeDb.Orleans.Grains.Sql.Execution;

public sealed partial class SqlJobRunner
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug, Message = "Run {RunId} of {Tenant}/{Schedule} attempt {Attempt} failed with a retryable error; retrying in {Delay}")]
    private partial void LogRetrying(string runId, string tenant, string schedule, int attempt, TimeSpan delay, Exception error);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Debug, Message = "Run {RunId} of {Tenant}/{Schedule} ended {Status} at attempt {Attempt}: {Error}")]
    private partial void LogUnsuccessful(string runId, string tenant, string schedule, RunStatus status, int attempt, string? error);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Run {RunId} of {Tenant}/{Schedule} was already in the ledger; not applied again")]
    private partial void LogAlreadyCommitted(string runId, string tenant, string schedule);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "Could not tell whether run {RunId} of {Tenant} committed")]
    private partial void LogLedgerUnavailable(string runId, string tenant, Exception error);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "Pruning the run ledger of {Tenant} failed; it is retried after the next run")]
    private partial void LogPruneFailed(string tenant, Exception error);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Debug, Message = "Pruned {Count} ledger rows of {Tenant} committed before {Cutoff}")]
    private partial void LogPruned(string tenant, int count, DateTimeOffset cutoff);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Warning, Message = "Run {RunId} of {Tenant}/{Schedule}: the answer to COMMIT was lost and the ledger cannot tell yet; left in flight for the ledger to settle")]
    private partial void LogCommitUncertain(string runId, string tenant, string schedule, Exception exception);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Warning, Message = "Run {RunId} of {Tenant}/{Schedule} attempt {Attempt} outlived its time budget without stopping; left in flight for the ledger to settle")]
    private partial void LogAbandoned(string runId, string tenant, string schedule, int attempt);
}
