using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using NodeDb.Orleans.Grains.Diagnostics;
using NodeDb.Orleans.Grains.Running;
using NodeDb.Orleans.Grains.Sql.Text;

namespace NodeDb.Orleans.Grains.Sql.Execution;

/// <summary>Runs schedule bodies against the tenant's SQLite or PostgreSQL database, exactly once per run id.</summary>
/// <remarks>
/// Every attempt is one transaction that also inserts the run id into the tenant's
/// <c>nodedb_run_ledger</c>: the effect and the ledger row commit together or not at all. A run id already
/// in the ledger is never applied again. The request's timeout is the budget of the whole run; when it
/// expires the running statement is cancelled in the database (SQLite interrupt, PostgreSQL cancel).
/// Only errors that can succeed later are retried, with exponential backoff inside that budget.
/// </remarks>
public sealed partial class SqlJobRunner : IJobRunner
{
    /// <summary>The <see cref="JobOutcome.Reason"/> of a run whose id was found committed in the ledger.</summary>
    public const string RecoveredReason = "recovered: the run id is in the tenant's run ledger, so it committed before; not applied again";

    /// <summary>The <see cref="JobOutcome.Reason"/> of a run whose COMMIT answer was lost but whose id the ledger holds.</summary>
    public const string LostCommitAnswerReason = "committed: the database's answer to COMMIT was lost, and the run ledger holds the run id";

    /// <summary>How long past its budget an attempt may run before the runner stops waiting and leaves it to the ledger.</summary>
    private static readonly TimeSpan AbandonMargin = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan LedgerProbeLimit = TimeSpan.FromSeconds(10);

    private readonly TenantEngines _engines;
    private readonly TenantDatabaseOptions _options;
    private readonly IRunFaultInjector _faults;
    private readonly TimeProvider _time;
    private readonly ILogger<SqlJobRunner> _logger;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastPrune = new(StringComparer.Ordinal);

    internal SqlJobRunner(TenantEngines engines, IRunFaultInjector faults, TimeProvider time, ILogger<SqlJobRunner> logger)
    {
        _engines = engines;
        _options = engines.Options;
        _faults = faults;
        _time = time;
        _logger = logger;
    }

    /// <inheritdoc />
    public async Task<JobOutcome> RunAsync(JobRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ITenantEngine engine;
        SqlBody body;
        try
        {
            engine = _engines.For(request.Tenant);
            body = Prepare(engine, request.Tenant, request.Body);
        }
        catch (NodeDbException e)
        {
            return Unsuccessful(request, new JobOutcome(RunStatus.Failed, 1, e.Message, e.Code));
        }

        // The claim's span (the grain call that claimed the occurrence) flows here with the dispatcher's task; each
        // attempt's span links to it. The scope puts the run id on every log line of the run.
        var claim = Activity.Current?.Context ?? default;
        using var scope = _logger.BeginScope(new RunLogScope(request.Tenant, request.Schedule, request.RunId));

        // Clamped, so a definition stored before TIMEOUT had a ceiling still runs (a longer CancellationTokenSource delay throws).
        var timeout = TimeSpan.FromTicks(Math.Min((request.Timeout > TimeSpan.Zero ? request.Timeout : _options.DefaultTimeout).Ticks, Schedules.ScheduleValidator.TimeoutCeiling.Ticks));
        var retries = Math.Max(0, request.Retries);
        var started = _time.GetTimestamp();
        using var budget = new CancellationTokenSource(timeout, _time);
        using var run = CancellationTokenSource.CreateLinkedTokenSource(budget.Token, cancellationToken);
        TimeSpan? startDelay = null;
        for (var attempt = 1; ; attempt++)
        {
            var span = SchedulerActivities.StartAttempt(request, attempt, claim);
            Exception error;
            try
            {
                var current = new RunAttempt(request, body, attempt, _time.GetUtcNow()) { Time = _time };
                var pending = engine.RunAttemptAsync(current, run.Token);
                AttemptResult result;
                try
                {
                    // A statement or a commit that ignores cancellation must not hold the run, and its slot, long past the
                    // budget: past it (and a margin) the outcome is uncertain, and the ledger decides later.
                    var left = timeout - _time.GetElapsedTime(started);
                    result = await pending.WaitAsync((left > TimeSpan.Zero ? left : TimeSpan.Zero) + AbandonMargin, _time);
                }
                catch (TimeoutException) when (!pending.IsCompleted)
                {
                    _ = pending.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                    LogAbandoned(request.RunId, request.Tenant, request.Schedule, attempt);
                    SchedulerActivities.End(span, "Uncertain", errorType: "timeout", message: "the attempt outlived its time budget");
                    return new JobOutcome(RunStatus.Failed, attempt, "the attempt outlived its time budget and may still commit") { Uncertain = true, StartDelay = startDelay ?? current.WaitedForWriter };
                }
                finally
                {
                    // The run began when its first attempt's body did.
                    startDelay ??= current.WaitedForWriter;
                }

                SchedulerActivities.End(span, nameof(RunStatus.Succeeded));
                await PruneIfDueAsync(request.Tenant, engine);
                if (result == AttemptResult.AlreadyCommitted)
                {
                    LogAlreadyCommitted(request.RunId, request.Tenant, request.Schedule);
                    return new JobOutcome(RunStatus.Succeeded, attempt, Reason: RecoveredReason) { StartDelay = startDelay };
                }

                return JobOutcome.Succeeded(attempt) with { StartDelay = startDelay };
            }
            catch (CommitOutcomeUnknownException e)
            {
                // Ask the ledger before reporting anything: the body may have committed although the answer was lost.
                using var limit = new CancellationTokenSource(LedgerProbeLimit, _time);
                switch (await WasCommittedAsync(request.Tenant, request.RunId, limit.Token))
                {
                    case true:
                        SchedulerActivities.End(span, nameof(RunStatus.Succeeded));
                        return new JobOutcome(RunStatus.Succeeded, attempt, Reason: LostCommitAnswerReason) { StartDelay = startDelay };
                    case null:
                        LogCommitUncertain(request.RunId, request.Tenant, request.Schedule, e);
                        SchedulerActivities.End(span, "Uncertain", e.InnerException, message: SqlErrors.Message(e.InnerException!));
                        return new JobOutcome(RunStatus.Failed, attempt, SqlErrors.Message(e.InnerException!)) { Uncertain = true, StartDelay = startDelay };
                }

                // Not in the ledger: it did not commit, so it is an ordinary retryable connection error.
                error = e.InnerException!;
                if (run.IsCancellationRequested)
                {
                    var stopped = Stopped(cancellationToken, attempt, timeout);
                    SchedulerActivities.End(span, stopped.Status.ToString(), errorType: stopped.Status == RunStatus.TimedOut ? "timeout" : "cancelled", message: stopped.Error);
                    return Unsuccessful(request, stopped);
                }
            }
            catch (Exception e) when (run.IsCancellationRequested && (e is OperationCanceledException || IsDatabaseError(e)))
            {
                // Logged before the span ends, so the log record carries the attempt's trace.
                var stopped = Unsuccessful(request, Stopped(cancellationToken, attempt, timeout));
                SchedulerActivities.End(span, stopped.Status.ToString(), errorType: stopped.Status == RunStatus.TimedOut ? "timeout" : "cancelled", message: stopped.Error);
                return stopped;
            }
            catch (Exception e) when (IsDatabaseError(e))
            {
                error = e;
            }
            catch (Exception e)
            {
                SchedulerActivities.End(span, nameof(RunStatus.Failed), e);
                throw;
            }

            var message = error is StatementFailedException ? error.Message : SqlErrors.Message(error);
            if (!SqlErrors.IsTransient(error))
            {
                var failed = Unsuccessful(request, new JobOutcome(RunStatus.Failed, attempt, message));
                SchedulerActivities.End(span, nameof(RunStatus.Failed), error, message: message);
                return failed;
            }

            var delay = RetryPolicy.NextDelay(_options.RetryBackoff, attempt, retries, timeout - _time.GetElapsedTime(started));
            if (delay is null)
            {
                var why = attempt > retries
                    ? $"retryable error, but all {retries} retries are used"
                    : "retryable error, but the run's time budget has no room for another attempt";
                var exhausted = Unsuccessful(request, new JobOutcome(RunStatus.Failed, attempt, message, why));
                SchedulerActivities.End(span, nameof(RunStatus.Failed), error, message: message);
                return exhausted;
            }

            // The attempt ends here; the backoff belongs to no attempt's span.
            LogRetrying(request.RunId, request.Tenant, request.Schedule, attempt, delay.Value, error);
            SchedulerActivities.End(span, "Retrying", error, message: message);
            _faults.OnSeam(RunSeam.BetweenAttempts, request, attempt);
            try
            {
                await Task.Delay(delay.Value, _time, run.Token);
            }
            catch (OperationCanceledException)
            {
                return Unsuccessful(request, Stopped(cancellationToken, attempt, timeout));
            }
        }
    }

    /// <inheritdoc />
    public async Task<bool?> WasCommittedAsync(string tenant, string runId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        var engine = _engines.For(tenant);
        try
        {
            return await engine.WasCommittedAsync(tenant, runId, cancellationToken);
        }
        catch (Exception e) when (IsDatabaseError(e) && !cancellationToken.IsCancellationRequested)
        {
            LogLedgerUnavailable(runId, tenant, e);
            return null;
        }
    }

    /// <inheritdoc />
    public void Prepare(string tenant)
    {
        try
        {
            _engines.For(tenant).Prepare(tenant);
        }
        catch (NodeDbException)
        {
            // A tenant with no database configured: its first run says so, with the reason.
        }
    }

    /// <inheritdoc />
    public void ValidateBody(string tenant, string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var engine = _engines.For(tenant);
        var parsed = Prepare(engine, tenant, body);

        // Only here, at CREATE/ALTER: an early, readable refusal. When the body runs, the engine's own wall refuses the same.
        if (engine.Refusal(parsed) is { } refusal)
        {
            throw new NodeDbException(ErrorCodes.BodyRejected, refusal);
        }
    }

    /// <summary>Deletes the tenant's ledger rows older than <see cref="TenantDatabaseOptions.LedgerRetention"/>; returns how many.</summary>
    /// <remarks>Runs on its own after a successful run at most once per <see cref="TenantDatabaseOptions.LedgerPruneInterval"/>.</remarks>
    public Task<int> PruneLedgerAsync(string tenant, CancellationToken cancellationToken = default) =>
        _engines.For(tenant).PruneLedgerAsync(tenant, _time.GetUtcNow() - _options.LedgerRetention, cancellationToken);

    internal static SqlBody Prepare(ITenantEngine engine, string tenant, string text)
    {
        SqlBody body;
        try
        {
            body = SqlBody.Parse(text);
        }
        catch (NodeDbException e) when (e.Code != ErrorCodes.BodyRejected)
        {
            throw new NodeDbException(ErrorCodes.BodyRejected, e.Message);
        }

        if (body.IsProcedural && !engine.SupportsProcedural)
        {
            throw new NodeDbException(
                ErrorCodes.BodyRejected,
                $"Body '{Excerpt(text)}' uses procedural statements (DECLARE, IF, LOOP, RAISE, EXCEPTION WHEN), but tenant '{tenant}' uses SQLite, "
                + "which has no procedural language: write it as plain SQL statements, or give the tenant a PostgreSQL database where it runs as PL/pgSQL.");
        }

        var refusal = BodyGuard.Check(body) ?? TransactionControlGuard.Check(body);
        return refusal is null ? body : throw new NodeDbException(ErrorCodes.BodyRejected, refusal);
    }

    private static JobOutcome Stopped(CancellationToken caller, int attempt, TimeSpan timeout) =>
        caller.IsCancellationRequested
            ? new JobOutcome(RunStatus.Cancelled, attempt, "cancelled: the running statement was cancelled and its transaction rolled back")
            : new JobOutcome(RunStatus.TimedOut, attempt, $"timed out after {timeout}: the running statement was cancelled and its transaction rolled back");

    private static bool IsDatabaseError(Exception e) =>
        e is DbException or StatementFailedException or NodeDbException or IOException or SocketException or TimeoutException or ArgumentException;

    private static string Excerpt(string text)
    {
        var flat = text.ReplaceLineEndings(" ").Trim();
        return flat.Length <= 80 ? flat : string.Concat(flat.AsSpan(0, 77), "...");
    }

    private JobOutcome Unsuccessful(JobRequest request, JobOutcome outcome)
    {
        LogUnsuccessful(request.RunId, request.Tenant, request.Schedule, outcome.Status, outcome.Attempt, outcome.Error);
        return outcome;
    }

    private async Task PruneIfDueAsync(string tenant, ITenantEngine engine)
    {
        var now = _time.GetUtcNow();
        if (_lastPrune.TryGetValue(tenant, out var last) && now - last < _options.LedgerPruneInterval)
        {
            return;
        }

        _lastPrune[tenant] = now;
        var cutoff = now - _options.LedgerRetention;
        try
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30), _time);
            var count = await engine.PruneLedgerAsync(tenant, cutoff, limit.Token);
            LogPruned(tenant, count, cutoff);
        }
        catch (Exception e) when (IsDatabaseError(e) || e is OperationCanceledException)
        {
            // The run itself committed; a ledger that stays a little larger until the next prune is harmless.
            _lastPrune.TryRemove(tenant, out _);
            LogPruneFailed(tenant, e);
        }
    }
}
