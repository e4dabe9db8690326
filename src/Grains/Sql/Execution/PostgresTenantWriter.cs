using System.Data;
using System.Diagnostics;
using Npgsql;
using NodeDb.Orleans.Grains.Running;

namespace NodeDb.Orleans.Grains.Sql.Execution;

/// <summary>
/// The group commit of one tenant's PostgreSQL runs in this process: attempts that are ready at the same time go to the
/// server in one batch on one connection, in one transaction, each inside its own savepoint with its own ledger row,
/// and one <c>COMMIT</c> (one WAL flush) covers them all. Each attempt still commits or rolls back alone.
/// </summary>
/// <remarks>
/// <para>The batch: <c>BEGIN</c> and one read of the login's defaults, then per attempt <c>SAVEPOINT</c>, the reset of
/// what an earlier body may have left in the session, the owner's settings, the ledger row (which fails on a run id
/// already there, so its body never runs), the role, the body, the login's defaults again, <c>RELEASE</c>. Then one
/// <c>COMMIT</c>, never cancelled: two round trips for the group, however many attempts and statements.</para>
/// <para>The server stops a batch at the first error. The attempts before it ran to their release; the one it stopped
/// at fails (or, stopped at its ledger row, is already committed); the rest go again in the next batch of the same
/// transaction, after <c>ROLLBACK TO SAVEPOINT</c>. A timeout cancels the batch's running statement: when that was
/// another attempt's, that attempt runs again. An attempt that changed the login's defaults (or whose fault seam
/// fires) was released already, so the transaction is rolled back and the others run again in a new one. A refused
/// <c>COMMIT</c> (a deferred constraint, a serialization failure) runs the group's attempts again, each in a
/// transaction of its own. A connection lost before the <c>COMMIT</c> fails one attempt (retryable) and runs the rest
/// again; lost during the <c>COMMIT</c>, it leaves every attempt to the ledger (<see cref="CommitOutcomeUnknownException"/>).</para>
/// <para>Lanes: one lane (one connection) runs a group at a time. A body that runs long (a lock wait, a slow query)
/// would hold every later run of the tenant behind it, so when every lane's batch has run for <see cref="LaneStall"/>,
/// another lane starts on the queue, up to <see cref="MaxLanes"/>.</para>
/// </remarks>
internal sealed partial class PostgresTenantWriter
{
    /// <summary>The most attempts one transaction takes; the rest wait for the next.</summary>
    public const int MaxBatch = 64;

    /// <summary>The most lanes (connections, open transactions) one tenant's runs use at once in this process.</summary>
    public const int MaxLanes = 8;

    /// <summary>How long every lane's current body must have run before the queue gets another lane.</summary>
    public static readonly TimeSpan LaneStall = TimeSpan.FromMilliseconds(50);

    private const string Savepoint = "nodedb_run";

    private readonly PostgresTenantEngine _engine;
    private readonly string _tenant;
    private readonly IRunFaultInjector _faults;
    private readonly Lock _gate = new();
    private readonly Queue<Job> _queue = new();
    private readonly List<Lane> _lanes = [];
    private ITimer? _stallTimer;

    /// <summary>A slot of this tenant's latest dispatched run: where a further lane asks for a slot of its own.</summary>
    private RunSlot? _slots;

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
        var slot = attempt.Request.Slot;
        RunSlot? free = null;
        lock (_gate)
        {
            _queue.Enqueue(job);
            _slots = slot ?? _slots;
            if (_lanes.Count == 0)
            {
                // The first lane runs on the slot of the run that starts it; a run that joins a running lane frees its own
                // (see RunSlot) unless the queue is already long, which keeps the backlog bounded.
                StartLane(slot?.HandToLane());
            }
            else
            {
                if (_queue.Count <= RunSlot.QueuedWithoutSlot)
                {
                    free = slot;
                }

                if (_lanes.Count < MaxLanes && _stallTimer is null)
                {
                    // Checked again after LaneStall: a lane whose body still runs then is stalled.
                    _stallTimer = attempt.Time.CreateTimer(_ => CheckStalled(attempt.Time), null, LaneStall, Timeout.InfiniteTimeSpan);
                }
            }
        }

        free?.Release();
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
                // A further lane holds a slot of its own, when the silo's caps have one and no run waits for one. Runs
                // given to the runner directly (no dispatcher, no slot) start it without.
                if (_slots is null)
                {
                    StartLane(null);
                }
                else if (_slots.TryTakeForLane() is { } another)
                {
                    StartLane(another);
                }
            }

            if (_lanes.Count < MaxLanes)
            {
                _stallTimer = time.CreateTimer(_ => CheckStalled(time), null, LaneStall, Timeout.InfiniteTimeSpan);
            }
        }
    }

    /// <summary>Starts a lane on <paramref name="slot"/> (freed when the lane stops); the caller holds the gate.</summary>
    private void StartLane(RunSlot? slot)
    {
        var lane = new Lane();
        _lanes.Add(lane);
        _ = Task.Run(async () =>
        {
            try
            {
                await RunLaneAsync(lane);
            }
            finally
            {
                slot?.ReleaseLane();
            }
        });
    }

    private void CancelQueued(Job job)
    {
        InFlight? batch;
        lock (_gate)
        {
            if (!job.Started)
            {
                // Still queued: it never starts.
                job.Result.TrySetCanceled(job.CancellationToken);
                return;
            }

            batch = job.InFlight;
        }

        // In the batch on the wire and not finished: cancel the batch's running statement (any other attempt it stops
        // runs again).
        batch?.Cancel(job);
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
        var rest = new Queue<Job>(jobs);
        string? opening = "BEGIN";
        while (rest.Count > 0)
        {
            var sent = Start(lane, rest);
            if (sent.Count == 0)
            {
                sent.Dispose();
                break;
            }

            var step = await SendAsync(connection, opening, sent);
            lock (_gate)
            {
                lane.BodySince = null;
                foreach (var job in sent)
                {
                    job.InFlight = null;
                }
            }

            sent.Dispose();
            opening = null;
            done.AddRange(step.Done);
            if (step.Broken is { } broken)
            {
                // Nothing of this transaction commits: the attempts that ran (and those not sent yet) run again in a new
                // one, except any whose own check failed or that was cancelled.
                await RollbackQuietlyAsync(connection);
                foreach (var (job, error) in broken)
                {
                    Fail(job, error);
                }

                List<Job> again = [.. done.Select(d => d.Job).Where(j => !j.CancellationToken.IsCancellationRequested)];
                if (step.Failed is { } stopped)
                {
                    // Its error (or its ledger answer) may come from the guilty attempt's work: it runs again too.
                    again.Add(stopped.Job);
                }

                return [.. again, .. step.Again, .. rest];
            }

            if (step.Failed is null && step.Again.Count > 0)
            {
                // Its statement was cancelled for another attempt's timeout: it runs again after the rollback to its savepoint.
                opening = "ROLLBACK TO SAVEPOINT " + Savepoint;
                rest = new Queue<Job>([.. step.Again, .. rest]);
            }
            else if (step.Failed is { } failed)
            {
                // The batch stopped at this attempt's error; the attempts after it go in the next batch, after the
                // rollback to its savepoint.
                if (failed.Error is { } error)
                {
                    Fail(failed.Job, error);
                }
                else
                {
                    done.Add((failed.Job, AttemptResult.AlreadyCommitted));
                }

                opening = "ROLLBACK TO SAVEPOINT " + Savepoint;
                rest = new Queue<Job>([.. step.Again, .. rest]);
            }
        }

        if (opening == "BEGIN")
        {
            return []; // every attempt was cancelled while it waited
        }

        return await CommitAsync(lane, connection, opening, done);
    }

    /// <summary>Takes the attempts still wanted from <paramref name="rest"/> for the next batch, marked started.</summary>
    private InFlight Start(Lane lane, Queue<Job> rest)
    {
        var sent = new InFlight();
        lock (_gate)
        {
            while (rest.TryDequeue(out var job))
            {
                if (job.Result.Task.IsCompleted)
                {
                    continue; // cancelled while it waited
                }

                if (job.CancellationToken.IsCancellationRequested)
                {
                    // Cancelled after it had started in a batch that stopped before its turn: it never runs again.
                    job.Registration.Dispose();
                    job.Result.TrySetCanceled(job.CancellationToken);
                    continue;
                }

                job.Started = true;
                job.InFlight = sent;
                job.Attempt.WaitedForWriter = job.Attempt.Time.GetElapsedTime(job.QueuedAt);
                sent.Add(job);
            }

            if (sent.Count > 0)
            {
                lane.BodySince = sent[0].Attempt.Time.GetTimestamp();
            }
        }

        return sent;
    }

    /// <summary>
    /// Sends <paramref name="sent"/> as one batch: <paramref name="opening"/>, then per attempt its savepoint, the reset,
    /// settings and ledger row, its role and body, the login's defaults, and the release of its savepoint.
    /// </summary>
    private async Task<Step> SendAsync(NpgsqlConnection connection, string? opening, InFlight sent)
    {
        // Result columns named with a value no body can guess: a body's own result sets can never stand in for them.
        var nonce = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
        var owners = new Dictionary<NpgsqlBatchCommand, (int Job, int Statement)>(ReferenceEqualityComparer.Instance);
        var ledgers = new HashSet<NpgsqlBatchCommand>(ReferenceEqualityComparer.Instance);
        await using var batch = new NpgsqlBatch(connection);
        if (opening is not null)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(opening));
        }

        batch.BatchCommands.Add(PostgresLoginDefaults.ReadCommand("nodedb_before_" + nonce));
        for (var i = 0; i < sent.Count; i++)
        {
            var attempt = sent[i].Attempt;
            void Add(NpgsqlBatchCommand command, int statement = -1)
            {
                batch.BatchCommands.Add(command);
                owners[command] = (i, statement);
            }

            Add(new NpgsqlBatchCommand("SAVEPOINT " + Savepoint));
            var opened = _engine.OpenGroupedRun(attempt, out var ledger);
            foreach (var command in opened)
            {
                Add(command);
            }

            ledgers.Add(ledger);
            if (_engine.RoleCommand(attempt.Request.Tenant, attempt.Request.Owner) is { } role)
            {
                Add(role);
            }

            if (attempt.Body.IsProcedural)
            {
                Add(new NpgsqlBatchCommand(PlPgSqlBlock.Build(attempt.Body)));
            }
            else
            {
                for (var s = 0; s < attempt.Body.Statements.Count; s++)
                {
                    Add(new NpgsqlBatchCommand(attempt.Body.Statements[s]), s);
                }
            }

            Add(PostgresLoginDefaults.ReadCommand("nodedb_after_" + nonce + "_" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Add(new NpgsqlBatchCommand("RELEASE SAVEPOINT " + Savepoint));
        }

        // The attempts' spans: the batch is traced under the first one's.
        Activity.Current = sent[0].Parent;
        string? before = null;
        var after = new string?[sent.Count];
        try
        {
            await using var reader = await batch.ExecuteReaderAsync(sent.Token);
            do
            {
                var name = reader.FieldCount == 1 ? reader.GetName(0) : "";
                if (name == "nodedb_before_" + nonce)
                {
                    before = await reader.ReadAsync(sent.Token) ? reader.GetString(0) : "";
                }
                else if (name.StartsWith("nodedb_after_" + nonce + "_", StringComparison.Ordinal))
                {
                    // Attempt i ran to its last read; only its release is left.
                    var i = int.Parse(name.AsSpan(("nodedb_after_" + nonce + "_").Length), System.Globalization.CultureInfo.InvariantCulture);
                    after[i] = await reader.ReadAsync(sent.Token) && !reader.IsDBNull(0) ? reader.GetString(0) : null;
                    sent.Finish(i);
                }

                // Anything else is a body's own result set, skipped unread.
            }
            while (await reader.NextResultAsync(sent.Token));
        }
        catch (Exception e) when (connection.FullState == ConnectionState.Open && (e as PostgresException ?? e.InnerException as PostgresException) is { BatchCommand: { } command } postgres && owners.TryGetValue(command, out var owner))
        {
            // The server stopped the batch at an attempt's command: those before it ran to their release.
            Activity.Current = null;
            var step = Checked(sent, before, after, owner.Job);
            var job = sent[owner.Job];
            Exception? error;
            if (ledgers.Contains(command) && _engine.IsAlreadyInLedger(postgres))
            {
                error = null; // its run id committed before: it never ran its body
            }
            else if (ledgers.Contains(command))
            {
                error = _engine.LedgerError(postgres);
            }
            else if (e is OperationCanceledException or PostgresException { SqlState: PostgresErrorCodes.QueryCanceled } && !job.CancellationToken.IsCancellationRequested)
            {
                // Cancelled for another attempt of the batch (its timeout fired after it had finished): this one runs again.
                return step with { Again = [.. step.Again, job, .. sent.Skip(owner.Job + 1)] };
            }
            else if (owner.Statement >= 0 && e is PostgresException)
            {
                var statements = job.Attempt.Body.Statements;
                error = new StatementFailedException(owner.Statement + 1, statements.Count, statements[owner.Statement], postgres);
            }
            else
            {
                error = e;
            }

            return step with { Failed = (job, error), Again = [.. step.Again, .. sent.Skip(owner.Job + 1)] };
        }
        catch (Exception e)
        {
            // The connection is gone, or the error names no attempt: none of the batch can be trusted to have run alone.
            Activity.Current = null;
            // The cancelled attempts end (that is what stopped it, most likely); with none, the first carries the error (a
            // retryable one for a lost connection), so that a replay always has one attempt fewer.
            List<(Job Job, Exception Error)> blamed = [.. sent.Where(j => j.CancellationToken.IsCancellationRequested).Select(j => (j, (Exception)new OperationCanceledException(j.CancellationToken)))];
            if (blamed.Count == 0)
            {
                blamed.Add((sent[0], e));
            }

            return new Step([], null, [.. sent.Except(blamed.Select(b => b.Job))], [.. blamed]);
        }

        Activity.Current = null;
        return Checked(sent, before, after, sent.Count);
    }

    /// <summary>
    /// The first <paramref name="count"/> attempts of <paramref name="sent"/> ran to their release: each must have left
    /// the login's defaults as they were, and passes its seam. One that did not breaks the transaction (it was released).
    /// </summary>
    private Step Checked(InFlight sent, string? before, string?[] after, int count)
    {
        var done = new List<(Job Job, AttemptResult Result)>(count);
        for (var i = 0; i < count; i++)
        {
            var job = sent[i];
            try
            {
                PostgresLoginDefaults.CheckUnchanged(before ?? "", after[i]);
                _faults.OnSeam(RunSeam.AfterBodyBeforeCommit, job.Attempt.Request, job.Attempt.Number);
                done.Add((job, AttemptResult.Committed));
            }
            catch (Exception e)
            {
                // The first that fails is the guilty one: the reads of the attempts after it see its change too, so they
                // are not judged here but run again (as do those before it) in a new transaction.
                return new Step([], null, [.. done.Select(d => d.Job), .. sent.Skip(i + 1).Take(count - i - 1)], [(job, e)]);
            }
        }

        return new Step(done, null, [], null);
    }

    private async Task<List<Job>> CommitAsync(Lane lane, NpgsqlConnection connection, string? closing, List<(Job Job, AttemptResult Result)> done)
    {
        await using (var batch = new NpgsqlBatch(connection))
        {
            if (closing is not null)
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand(closing));
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
                    await RunAllAsync(lane, [job]);
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
        catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
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

    private sealed class Lane
    {
        /// <summary>When the lane's current batch began, or null between batches.</summary>
        public long? BodySince { get; set; }
    }

    /// <summary>What one batch left: attempts that ran to their release, the one it stopped at, those to send again, and a broken transaction's verdicts.</summary>
    private sealed record Step(List<(Job Job, AttemptResult Result)> Done, (Job Job, Exception? Error)? Failed, List<Job> Again, List<(Job, Exception)>? Broken);

    /// <summary>The attempts of the batch on the wire, and the cancellation of its running statement.</summary>
    private sealed class InFlight : List<Job>, IDisposable
    {
        private readonly CancellationTokenSource _cancel = new();
        private int _finished;

        public CancellationToken Token => _cancel.Token;

        /// <summary>The first <paramref name="index"/> + 1 attempts have finished their part of the batch.</summary>
        public void Finish(int index) => Volatile.Write(ref _finished, index + 1);

        /// <summary>Cancels the batch's running statement, unless <paramref name="job"/>'s part is already over.</summary>
        public void Cancel(Job job)
        {
            if (IndexOf(job) >= Volatile.Read(ref _finished))
            {
                try
                {
                    _cancel.Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // The batch ended meanwhile.
                }
            }
        }

        public void Dispose() => _cancel.Dispose();
    }

    private sealed class Job(RunAttempt attempt, CancellationToken cancellationToken) : QueuedAttempt(attempt, cancellationToken)
    {
        /// <summary>The batch it is in while that batch is on the wire.</summary>
        public InFlight? InFlight { get; set; }
    }
}
