using System.Diagnostics;
using Microsoft.Data.Sqlite;
using NodeDb.Orleans.Grains.Diagnostics;
using NodeDb.Orleans.Grains.Running;
using NodeDb.Orleans.Grains.Sql.Execution.Sqlite;
using static SQLitePCL.raw;

namespace NodeDb.Orleans.Grains.Sql.Execution;

/// <summary>
/// The one writer of a tenant's SQLite file in this process. Attempts queue here instead of sleeping in SQLite's busy
/// handler; the writer runs what has queued in one transaction (group commit), each attempt inside its own savepoint
/// with its own ledger row, so each still commits or rolls back alone, and one <c>fsync</c> covers them all.
/// </summary>
/// <remarks>
/// <para>Durability: tenant files run in WAL mode with <c>synchronous=FULL</c>, so when an attempt is reported
/// committed its effect and its ledger row are on disk, through an OS crash or a power loss.</para>
/// <para>A savepoint isolates an attempt's statement errors. An error that ends the whole transaction (an interrupt
/// during a write, <c>INSERT OR ROLLBACK</c>, an I/O error) rolls back the attempts that had run before it in the
/// batch too: they did not commit, so they run again in a fresh transaction, their effects applied once.</para>
/// <para>Cancellation (a timeout, CANCEL_PREVIOUS, shutdown) interrupts the statement only while its own attempt is the
/// one running; an attempt cancelled while queued never starts.</para>
/// <para>The writer's connection stays in the tenant sandbox (<see cref="SqliteSandbox"/>) for as long as it is open: the
/// runner's own statements (savepoints, the ledger row) run as the runner, each body as tenant SQL, split by SQLite.</para>
/// </remarks>
internal sealed class SqliteTenantWriter(Func<SqliteConnection> open, Func<SqliteConnection, SqliteSandboxScope> prepare, IRunFaultInjector faults)
{
    /// <summary>The most attempts one transaction takes; the rest wait for the next.</summary>
    public const int MaxBatch = 64;

    private readonly Queue<Job> _queue = new();
    private readonly object _gate = new();
    private readonly object _currentGate = new();
    private bool _draining;
    private Job? _current;
    private SqliteConnection? _connection;
    private SqliteSandboxScope? _sandbox;

    /// <summary>Queues an attempt; completes when it committed, found its run id committed, or failed.</summary>
    public Task<AttemptResult> RunAsync(RunAttempt attempt, CancellationToken cancellationToken)
    {
        var job = new Job(attempt, cancellationToken);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<AttemptResult>(cancellationToken);
        }

        // Cancelled while queued: it ends at once, and the writer skips it. Cancelled while running: interrupt it.
        job.Registration = cancellationToken.Register(() => Cancel(job));
        bool start;
        RunSlot? laneSlot = null;
        RunSlot? free = null;
        lock (_gate)
        {
            _queue.Enqueue(job);
            start = !_draining;
            _draining = true;

            // The writer is the tenant's one lane: it runs on the slot of the run that started it, and a run that joins
            // the queue frees its own (see RunSlot) unless the queue is already long, which keeps the backlog bounded.
            if (start)
            {
                laneSlot = attempt.Request.Slot?.HandToLane();
            }
            else if (_queue.Count <= RunSlot.QueuedWithoutSlot)
            {
                free = attempt.Request.Slot;
            }
        }

        free?.Release();
        if (start)
        {
            _ = Task.Run(() => Drain(laneSlot));
        }

        return job.Result.Task;
    }

    private void Cancel(Job job)
    {
        lock (_currentGate)
        {
            if (!job.Started)
            {
                // Still queued: it never starts.
                job.Result.TrySetCanceled(job.CancellationToken);
            }
            else if (ReferenceEquals(_current, job) && _connection is { } connection)
            {
                sqlite3_interrupt(connection.Handle);
            }
        }
    }

    private void Drain(RunSlot? slot)
    {
        try
        {
            DrainQueue();
        }
        finally
        {
            slot?.ReleaseLane();
        }
    }

    private void DrainQueue()
    {
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
                    else
                    {
                        job.Registration.Dispose();
                    }
                }

                if (batch.Count == 0)
                {
                    _draining = false;

                    // Back to the pool while idle: a writer costs nothing between bursts.
                    CloseConnection(discard: false);
                    return;
                }
            }

            try
            {
                RunBatch(batch);
            }
            catch (Exception e)
            {
                // Opening the file or beginning, ending or rolling back the transaction failed: every attempt of the batch
                // that is not settled fails with it (the runner retries the retryable ones). The connection is discarded.
                foreach (var job in batch)
                {
                    Fail(job, e);
                }

                CloseConnection(discard: true);
            }
        }
    }

    private void RunBatch(List<Job> batch)
    {
        SqliteConnection connection;
        SqliteSandboxScope sandbox;
        lock (_currentGate)
        {
            if (_connection is null)
            {
                (_connection, _sandbox) = OpenWriter();
            }

            (connection, sandbox) = (_connection, _sandbox!);
        }

        var pending = batch;
        while (pending.Count > 0)
        {
            Execute(connection, "BEGIN IMMEDIATE");
            var done = new List<(Job Job, AttemptResult Result)>();
            List<Job>? replay = null;
            for (var i = 0; i < pending.Count; i++)
            {
                var job = pending[i];
                if (job.Result.Task.IsCompleted)
                {
                    continue; // cancelled while it waited
                }

                var outcome = RunOne(connection, sandbox, job);
                if (outcome is { } result)
                {
                    done.Add((job, result));
                    continue;
                }

                if (sqlite3_get_autocommit(connection.Handle) != 0)
                {
                    // The error ended the whole transaction: what ran before it in this batch rolled back with it and runs
                    // again in a new one, then the attempts that had not run yet.
                    replay = [.. done.Select(d => d.Job), .. pending.Skip(i + 1)];
                    done.Clear();
                    break;
                }
            }

            if (replay is null)
            {
                Commit(connection, done);
            }

            pending = replay ?? [];
        }
    }

    /// <summary>Runs one attempt in its own savepoint; null when it failed (its job is completed with the error).</summary>
    private AttemptResult? RunOne(SqliteConnection connection, SqliteSandboxScope sandbox, Job job)
    {
        var request = job.Attempt.Request;
        lock (_currentGate)
        {
            if (job.Result.Task.IsCompleted)
            {
                return null; // cancelled just now, before it started
            }

            job.Started = true;
            _current = job;
        }

        job.Attempt.WaitedForWriter = job.Attempt.Time.GetElapsedTime(job.QueuedAt);

        // The database child span of the attempt's span, which was current when the attempt queued.
        var previous = Activity.Current;
        Activity.Current = job.Parent;
        using var span = SchedulerActivities.StartSqliteTransaction(request.Tenant, request.RunId, job.Attempt.Body.Statements.Count);
        Activity.Current = previous;
        Execute(connection, "SAVEPOINT nodedb_run");

        try
        {
            job.CancellationToken.ThrowIfCancellationRequested();
            using (var ledger = connection.CreateCommand())
            {
                ledger.CommandText = "INSERT INTO main.nodedb_run_ledger(run_id, schedule, committed_at) VALUES ($run, $schedule, $at) ON CONFLICT(run_id) DO NOTHING";
                ledger.Parameters.AddWithValue("$run", request.RunId);
                ledger.Parameters.AddWithValue("$schedule", request.Schedule);
                ledger.Parameters.AddWithValue("$at", job.Attempt.Now.ToUnixTimeMilliseconds());
                if (ledger.ExecuteNonQuery() == 0)
                {
                    Release(connection);
                    return AttemptResult.AlreadyCommitted;
                }
            }

            // SQLite splits the body itself, one prepared statement at a time, each under the tenant rules of the sandbox.
            sandbox.RunTenant(job.Attempt.Body.InnerText, (statement, _) =>
            {
                job.CancellationToken.ThrowIfCancellationRequested();
                using var command = connection.CreateCommand();
                command.CommandText = statement;
                command.ExecuteNonQuery();
            });

            job.CancellationToken.ThrowIfCancellationRequested();
            faults.OnSeam(RunSeam.AfterBodyBeforeCommit, request, job.Attempt.Number);
            Release(connection);
            return AttemptResult.Committed;
        }
        catch (Exception e)
        {
            if (span is not null)
            {
                span.SetTag(SchedulerTags.ErrorType, SchedulerActivities.ErrorType(e));
                span.SetStatus(ActivityStatusCode.Error, e.Message);
            }

            if (sqlite3_get_autocommit(connection.Handle) == 0)
            {
                // Only this attempt's work is undone; the batch's transaction goes on.
                Execute(connection, "ROLLBACK TO nodedb_run");
                Execute(connection, "RELEASE nodedb_run");
            }

            Fail(job, e);
            return null;
        }
        finally
        {
            lock (_currentGate)
            {
                _current = null;
            }
        }
    }

    private void Commit(SqliteConnection connection, List<(Job Job, AttemptResult Result)> done)
    {
        try
        {
            Execute(connection, "COMMIT");
        }
        catch (Exception e)
        {
            if (sqlite3_get_autocommit(connection.Handle) == 0)
            {
                Execute(connection, "ROLLBACK");
            }

            foreach (var (job, _) in done)
            {
                Fail(job, e);
            }

            return;
        }

        foreach (var (job, result) in done)
        {
            try
            {
                faults.OnSeam(RunSeam.AfterCommit, job.Attempt.Request, job.Attempt.Number);
                job.Registration.Dispose();
                job.Result.TrySetResult(result);
            }
            catch (Exception e)
            {
                Fail(job, e);
            }
        }
    }

    private static void Release(SqliteConnection connection) => Execute(connection, "RELEASE nodedb_run");

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

    private (SqliteConnection Connection, SqliteSandboxScope Sandbox) OpenWriter()
    {
        var connection = open();
        try
        {
            return (connection, prepare(connection));
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private void CloseConnection(bool discard)
    {
        lock (_currentGate)
        {
            if (_connection is not { } connection)
            {
                return;
            }

            _connection = null;
            _sandbox?.Dispose();
            _sandbox = null;
            if (discard)
            {
                // Never hand a connection that failed mid-transaction back to the pool.
                SqliteConnection.ClearPool(connection);
            }

            connection.Dispose();
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private sealed class Job(RunAttempt attempt, CancellationToken cancellationToken) : QueuedAttempt(attempt, cancellationToken);
}
