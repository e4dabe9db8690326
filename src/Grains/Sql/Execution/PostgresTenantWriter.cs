using System.Data;
using System.Diagnostics;
using Npgsql;

namespace NodeDb.Orleans.Grains.Sql.Execution;

/// <summary>
/// The group commit of one tenant's PostgreSQL runs in this process: attempts that are ready at the same time run one
/// after another on one connection, in one transaction, each inside its own savepoint with its own ledger row, and one
/// <c>COMMIT</c> (one WAL flush, one round trip) covers them all. Each attempt still commits or rolls back alone.
/// </summary>
/// <remarks>
/// <para>Per attempt two round trips: (1) a prepared batch that settles the previous attempt's savepoint (releases it,
/// or rolls back to it when it failed), opens the attempt's savepoint, resets what an earlier body of the group may have
/// left in the session (<c>RESET ALL</c>, <c>RESET ROLE</c>, <c>DISCARD TEMP</c>, session advisory locks), inserts the
/// ledger row, reads the login's defaults and sets the owner's settings; (2) the body's batch, as a lone run sends it
/// (role, statements, the login's defaults again). A run id already in the ledger never sends (2). The group ends with
/// one batch that settles the last savepoint and commits, never cancelled.</para>
/// <para>A statement error or a cancellation (a timeout) aborts the attempt's savepoint only: the next batch rolls back
/// to it and the group goes on. A refused <c>COMMIT</c> (a deferred constraint, a serialization failure) rolls back the
/// whole group: its attempts run again, each in a transaction of its own, so only the guilty one fails. A connection
/// lost before the <c>COMMIT</c> fails the attempt that was running; the others run again on a fresh connection. A
/// connection lost during the <c>COMMIT</c> leaves every attempt of the group to the ledger
/// (<see cref="CommitOutcomeUnknownException"/>).</para>
/// <para>Lanes: one lane (one connection) runs a group at a time. A body that runs long (a lock wait, a slow query) would
/// hold every later run of the tenant behind it, so when every lane's current body has run for
/// <see cref="LaneStall"/>, another lane starts on the queue, up to <see cref="MaxLanes"/>.</para>
/// </remarks>
internal sealed partial class PostgresTenantWriter
{
    /// <summary>The most attempts one transaction takes; the rest wait for the next.</summary>
    public const int MaxBatch = 64;

    /// <summary>The most lanes (connections, open transactions) one tenant's runs use at once in this process.</summary>
    public const int MaxLanes = 8;

    /// <summary>How long every lane's current body must have run before the queue gets another lane.</summary>
    public static readonly TimeSpan LaneStall = TimeSpan.FromMilliseconds(100);

    private const string Savepoint = "nodedb_run";

    private readonly PostgresTenantEngine _engine;
    private readonly string _tenant;
    private readonly IRunFaultInjector _faults;
    private readonly Lock _gate = new();
    private readonly Queue<Job> _queue = new();
    private readonly List<Lane> _lanes = [];
    private ITimer? _stallTimer;

    public PostgresTenantWriter(PostgresTenantEngine engine, string tenant, IRunFaultInjector faults)
    {
        _engine = engine;
        _tenant = tenant;
        _faults = faults;
    }

    /// <summary>Queues an attempt; completes when it committed, found its run id committed, or failed.</summary>
    public Task<AttemptResult> RunAsync(RunAttempt attempt, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<AttemptResult>(cancellationToken);
        }

        var job = new Job(attempt, cancellationToken);

        // Cancelled while queued: it ends at once and never starts. Once started, Npgsql cancels its running statement.
        job.Registration = cancellationToken.Register(() => CancelQueued(job));
        lock (_gate)
        {
            _queue.Enqueue(job);
            if (_lanes.Count == 0)
            {
                StartLane();
            }
            else if (_lanes.Count < MaxLanes && _stallTimer is null)
            {
                // Checked again after LaneStall: a lane whose body still runs then is stalled.
                _stallTimer = attempt.Time.CreateTimer(_ => CheckStalled(attempt.Time), null, LaneStall, Timeout.InfiniteTimeSpan);
            }
        }

        return job.Result.Task;
    }

    private void CheckStalled(TimeProvider time)
    {
        lock (_gate)
        {
            _stallTimer?.Dispose();
            _stallTimer = null;
            if (_queue.Count == 0 || _lanes.Count >= MaxLanes)
            {
                return;
            }

            if (_lanes.TrueForAll(l => l.BodySince is { } since && time.GetElapsedTime(since) >= LaneStall))
            {
                StartLane();
            }

            if (_lanes.Count < MaxLanes)
            {
                _stallTimer = time.CreateTimer(_ => CheckStalled(time), null, LaneStall, Timeout.InfiniteTimeSpan);
            }
        }
    }

    /// <summary>Starts a lane; the caller holds the gate.</summary>
    private void StartLane()
    {
        var lane = new Lane();
        _lanes.Add(lane);
        _ = Task.Run(() => RunLaneAsync(lane));
    }

    private void CancelQueued(Job job)
    {
        lock (_gate)
        {
            if (!job.Started)
            {
                job.Result.TrySetCanceled(job.CancellationToken);
            }
        }
    }

    private async Task RunLaneAsync(Lane lane)
    {
        // The lane inherits the first caller's span; each attempt's commands get their own parent below.
        Activity.Current = null;
        while (true)
        {
            var batch = new List<Job>(MaxBatch);
            lock (_gate)
            {
                while (batch.Count < MaxBatch && _queue.TryDequeue(out var job))
                {
                    if (!job.Result.Task.IsCompleted)
                    {
                        batch.Add(job);
                    }
                }

                if (batch.Count == 0)
                {
                    _lanes.Remove(lane);
                    return;
                }
            }

            // A body that changes how constraints are checked runs in a transaction of its own: SET CONSTRAINTS lasts to
            // the COMMIT, and no reset brings back each constraint's own timing for the next run.
            var group = new List<Job>(batch.Count);
            foreach (var job in batch)
            {
                if (RunsAlone(job.Attempt.Body))
                {
                    await RunAllAsync(lane, group);
                    group = [];
                    await RunAllAsync(lane, [job]);
                }
                else
                {
                    group.Add(job);
                }
            }

            await RunAllAsync(lane, group);
        }
    }

    /// <summary>True for a body that must not share its transaction: it changes constraint timing (<c>SET CONSTRAINTS</c>).</summary>
    internal static bool RunsAlone(Text.SqlBody body) => SetConstraints().IsMatch(body.InnerText);

    [System.Text.RegularExpressions.GeneratedRegex(@"\bSET\s+CONSTRAINTS\b", System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex SetConstraints();

    private async Task RunAllAsync(Lane lane, List<Job> jobs)
    {
        var pending = jobs;
        try
        {
            while (pending.Count > 0)
            {
                pending = await RunTransactionAsync(lane, pending);
            }
        }
        catch (Exception e)
        {
            // Opening a connection failed: every attempt not yet settled fails with it (the runner retries the
            // retryable ones).
            foreach (var job in pending)
            {
                Fail(job, e);
            }
        }
    }

    /// <summary>Runs <paramref name="jobs"/> in one transaction; returns the attempts to run again in a new one.</summary>
    private async Task<List<Job>> RunTransactionAsync(Lane lane, List<Job> jobs)
    {
        await using var connection = await _engine.OpenAsync(_tenant, CancellationToken.None);
        var done = new List<(Job Job, AttemptResult Result)>();
        var state = Settle.NotBegun;
        for (var i = 0; i < jobs.Count; i++)
        {
            var job = jobs[i];
            lock (_gate)
            {
                if (job.Result.Task.IsCompleted)
                {
                    continue; // cancelled while it waited
                }

                job.Started = true;
                lane.BodySince = job.Attempt.Time.GetTimestamp();
            }

            var opening = Opening(state);
            try
            {
                done.Add((job, await RunOneAsync(connection, opening, job)));
                state = Settle.Release;
            }
            catch (Exception e) when (connection.FullState == ConnectionState.Open && !OpeningFailed(e, opening))
            {
                // The server refused a statement of the attempt (or cancelled it), or its check failed: only its savepoint
                // is aborted, and the next batch rolls back to it.
                state = Settle.RollBack;
                Fail(job, e);
            }
            catch (Exception e)
            {
                // The connection is gone, or the previous savepoint could not be settled: nothing of this transaction
                // commits. This attempt fails (it was running); what ran before it and what has not run yet run again.
                Discard(connection);
                Fail(job, e);
                return [.. done.Select(d => d.Job), .. jobs.Skip(i + 1)];
            }
            finally
            {
                Activity.Current = null;
                lock (_gate)
                {
                    lane.BodySince = null;
                }
            }
        }

        if (state == Settle.NotBegun)
        {
            return [];
        }

        return await CommitAsync(lane, connection, Opening(state), done);
    }

    /// <summary>True when the failed command of <paramref name="e"/> is one of <paramref name="opening"/> (the previous attempt's savepoint settled).</summary>
    private static bool OpeningFailed(Exception e, List<string> opening)
    {
        var postgres = e as PostgresException ?? e.InnerException as PostgresException;

        // No command named: an error of the attempt's own, as for a lone run.
        return postgres?.BatchCommand is { } failed && opening.Contains(failed.CommandText);
    }

    /// <summary>The commands that open an attempt's batch: <c>BEGIN</c> for the first, else the previous attempt's savepoint settled.</summary>
    private static List<string> Opening(Settle state) => state switch
    {
        Settle.NotBegun => ["BEGIN"],

        // After a failure the savepoint stays (only ROLLBACK TO may run in an aborted transaction); the next SAVEPOINT
        // of the same name nests inside it, empty, and COMMIT releases it with the rest.
        Settle.RollBack => ["ROLLBACK TO SAVEPOINT " + Savepoint],
        _ => ["RELEASE SAVEPOINT " + Savepoint],
    };

    private async Task<AttemptResult> RunOneAsync(NpgsqlConnection connection, List<string> opening, Job job)
    {
        var attempt = job.Attempt;
        var request = attempt.Request;
        var token = job.CancellationToken;
        attempt.WaitedForWriter = attempt.Time.GetElapsedTime(job.QueuedAt);

        // The attempt's span is the parent of its Npgsql command spans.
        Activity.Current = job.Parent;
        var (recorded, defaults) = await _engine.OpenGroupedRunAsync(connection, opening, Savepoint, attempt, token);
        if (!recorded)
        {
            return AttemptResult.AlreadyCommitted;
        }

        var after = await PostgresTenantEngine.RunBodyAsync(connection, transaction: null, _engine.RoleCommand(request.Tenant, request.Owner), attempt.Body, token);
        PostgresLoginDefaults.CheckUnchanged(defaults, after);
        token.ThrowIfCancellationRequested();
        _faults.OnSeam(RunSeam.AfterBodyBeforeCommit, request, attempt.Number);
        return AttemptResult.Committed;
    }

    private async Task<List<Job>> CommitAsync(Lane lane, NpgsqlConnection connection, List<string> closing, List<(Job Job, AttemptResult Result)> done)
    {
        await using (var batch = new NpgsqlBatch(connection))
        {
            foreach (var command in closing)
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand(command));
            }

            batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
            try
            {
                // Not cancellable: a timeout that fired during COMMIT would leave the outcome unknown.
                await batch.ExecuteNonQueryAsync(CancellationToken.None);
            }
            catch (PostgresException e) when (connection.FullState == ConnectionState.Open)
            {
                // The server refused the COMMIT: nothing committed. Alone, the attempt fails with it; in a group, each runs
                // again in a transaction of its own, so only the attempt that caused it fails.
                await RollbackQuietlyAsync(connection);
                if (done.Count == 1)
                {
                    Fail(done[0].Job, e);
                    return [];
                }

                foreach (var (job, _) in done)
                {
                    List<Job> alone = [job];
                    while (alone.Count > 0)
                    {
                        alone = await RunTransactionAsync(lane, alone);
                    }
                }

                return [];
            }
            catch (Exception e)
            {
                // The connection broke while the COMMIT or its answer was on the way: the runner asks the ledger per run.
                Discard(connection);
                var unknown = new CommitOutcomeUnknownException(e);
                foreach (var (job, _) in done)
                {
                    Fail(job, unknown);
                }

                return [];
            }
        }

        foreach (var (job, result) in done)
        {
            try
            {
                _faults.OnSeam(RunSeam.AfterCommit, job.Attempt.Request, job.Attempt.Number);
                job.Registration.Dispose();
                job.Result.TrySetResult(result);
            }
            catch (Exception e) when (e is NpgsqlException or IOException or System.Net.Sockets.SocketException or TimeoutException)
            {
                // The seam stands for the COMMIT's answer lost on the way: the outcome is the ledger's to tell.
                Fail(job, new CommitOutcomeUnknownException(e));
            }
            catch (Exception e)
            {
                Fail(job, e);
            }
        }

        return [];
    }

    private static async Task RollbackQuietlyAsync(NpgsqlConnection connection)
    {
        try
        {
            // A refused COMMIT ends the transaction already; this only makes sure.
            await using var rollback = new NpgsqlCommand("ROLLBACK", connection);
            await rollback.ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException)
        {
            Discard(connection);
        }
    }

    /// <summary>Never hands a connection that failed mid-transaction back to the pool.</summary>
    private static void Discard(NpgsqlConnection connection) => NpgsqlConnection.ClearPool(connection);

    private static void Fail(Job job, Exception e)
    {
        job.Registration.Dispose();
        if (e is OperationCanceledException && job.CancellationToken.IsCancellationRequested)
        {
            job.Result.TrySetCanceled(job.CancellationToken);
            return;
        }

        job.Result.TrySetException(e);
    }

    /// <summary>How the next batch settles the previous attempt's savepoint.</summary>
    private enum Settle
    {
        /// <summary>No attempt ran yet: the batch begins the transaction.</summary>
        NotBegun,

        /// <summary>The previous attempt succeeded: release its savepoint.</summary>
        Release,

        /// <summary>The previous attempt failed: roll back to its savepoint.</summary>
        RollBack,
    }

    private sealed class Lane
    {
        /// <summary>When the lane's current attempt began, or null between attempts.</summary>
        public long? BodySince { get; set; }
    }

    private sealed class Job(RunAttempt attempt, CancellationToken cancellationToken)
    {
        public RunAttempt Attempt { get; } = attempt;

        public CancellationToken CancellationToken { get; } = cancellationToken;

        public TaskCompletionSource<AttemptResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationTokenRegistration Registration { get; set; }

        /// <summary>Whether a lane has begun it; a cancellation before that completes it, after that cancels its statement.</summary>
        public bool Started { get; set; }

        /// <summary>The attempt's span, current when it queued: the parent of its Npgsql command spans.</summary>
        public Activity? Parent { get; } = Activity.Current;

        /// <summary>When it queued (a timestamp: the wait is a duration, the same under any scheduler clock).</summary>
        public long QueuedAt { get; } = attempt.Time.GetTimestamp();
    }
}
