using Microsoft.Extensions.Time.Testing;
using NodeDb.Orleans.Grains.Running;
using NodeDb.Orleans.Grains.Sql.Execution;

namespace NodeDb.Orleans.Tests.Sql;

/// <summary>
/// The runner's contract, run against each engine: one effect and one history row per run id whatever
/// seam the silo dies at, real timeouts, retry classification and the ad-hoc executor.
/// </summary>
public abstract class RunnerEngineTests : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _cleanup = [];

    /// <summary>A fresh tenant per test, so nothing leaks between tests.</summary>
    protected string Tenant { get; } = "t" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>A statement that runs far longer than any test.</summary>
    protected abstract string LongRunningStatement { get; }

    /// <summary>What a body puts first so that waiting on a lock ends in the engine's retryable error quickly.</summary>
    protected abstract string LockWaitPrefix { get; }

    public virtual ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public virtual async ValueTask DisposeAsync()
    {
        foreach (var item in _cleanup)
        {
            await item.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task A_run_commits_its_effect_with_its_ledger_row()
    {
        var host = await HostAsync();
        var outcome = await host.Runner.RunAsync(Request("r1", "BEGIN INSERT INTO effects(v) VALUES (1); INSERT INTO effects(v) VALUES (2); END"), Ct);

        Assert.Equal((RunStatus.Succeeded, 1), (outcome.Status, outcome.Attempt));
        Assert.Equal(2, await CountEffectsAsync());
        Assert.True(await host.Runner.WasCommittedAsync(Tenant, "r1", Ct));
        Assert.False(await host.Runner.WasCommittedAsync(Tenant, "never-ran", Ct));
    }

    [Fact]
    public async Task The_same_run_id_is_never_applied_twice()
    {
        var host = await HostAsync();
        var request = Request("r-dup", "BEGIN INSERT INTO effects(v) VALUES (1); END");

        var first = await host.Runner.RunAsync(request, Ct);
        var again = await host.Runner.RunAsync(request, Ct);

        Assert.Equal(RunStatus.Succeeded, first.Status);
        Assert.Null(first.Reason);
        Assert.Equal(RunStatus.Succeeded, again.Status);
        Assert.Equal(SqlJobRunner.RecoveredReason, again.Reason);
        Assert.Equal(1, await CountEffectsAsync());
    }

    [Fact]
    public async Task A_crash_after_the_body_before_commit_leaves_nothing_and_recovery_runs_it_once()
    {
        var host = await HostAsync();
        host.Faults.CrashOnce(RunSeam.AfterBodyBeforeCommit);

        var record = await host.Scheduler.FireAsync(Request("r-abc", "BEGIN INSERT INTO effects(v) VALUES (1); END"));

        Assert.Equal(1, host.Scheduler.Crashes);
        Assert.Equal(RunStatus.Succeeded, record.Status);
        Assert.Null(record.Reason);
        Assert.Equal(1, await CountLedgerRowsAsync("r-abc"));
        Assert.Equal(1, await CountEffectsAsync());
    }

    [Fact]
    public async Task A_crash_after_commit_before_the_history_row_is_settled_as_recovered_not_rerun()
    {
        var host = await HostAsync();
        host.Faults.CrashOnce(RunSeam.AfterCommit);
        var request = Request("r-ac", "BEGIN INSERT INTO effects(v) VALUES (1); END");

        var record = await host.Scheduler.FireAsync(request);

        Assert.Equal(1, host.Scheduler.Crashes);
        Assert.Equal(RunStatus.Succeeded, record.Status);
        Assert.Equal(SqlJobRunner.RecoveredReason, record.Reason);
        Assert.Equal(1, await CountLedgerRowsAsync("r-ac"));
        Assert.Equal(1, await CountEffectsAsync());

        // A recovery that re-ran the body instead of asking the ledger would still not apply it twice.
        var rerun = await host.Runner.RunAsync(request, Ct);
        Assert.Equal(SqlJobRunner.RecoveredReason, rerun.Reason);
        Assert.Equal(1, await CountEffectsAsync());
    }

    [Fact]
    public async Task A_crash_during_the_retry_is_settled_by_running_once_more()
    {
        var host = await HostAsync();
        var holder = await HoldLockAsync();
        host.Faults.Once(RunSeam.BetweenAttempts, (_, attempt) =>
        {
            holder.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw new SimulatedCrashException(RunSeam.BetweenAttempts, attempt);
        });

        var record = await host.Scheduler.FireAsync(Request("r-retry-crash", $"BEGIN {LockWaitPrefix}INSERT INTO effects(v) VALUES (1); END"));

        Assert.Equal(1, host.Scheduler.Crashes);
        Assert.Equal(RunStatus.Succeeded, record.Status);
        Assert.Null(record.Reason);
        Assert.Equal(1, await CountLedgerRowsAsync("r-retry-crash"));
        Assert.Equal(1, await CountEffectsAsync());
    }

    [Fact]
    public async Task A_retryable_error_is_retried_and_the_attempt_number_is_reported()
    {
        var host = await HostAsync();
        var holder = await HoldLockAsync();
        host.Faults.Once(RunSeam.BetweenAttempts, (_, _) => holder.DisposeAsync().AsTask().GetAwaiter().GetResult());

        var outcome = await host.Runner.RunAsync(Request("r-retry", $"BEGIN {LockWaitPrefix}INSERT INTO effects(v) VALUES (1); END", retries: 2), Ct);

        Assert.Equal((RunStatus.Succeeded, 2), (outcome.Status, outcome.Attempt));
        Assert.Equal([(RunSeam.BetweenAttempts, 1), (RunSeam.AfterBodyBeforeCommit, 2), (RunSeam.AfterCommit, 2)], host.Faults.Reached.ToArray());
        Assert.Equal(1, await CountEffectsAsync());
    }

    [Fact]
    public async Task A_constraint_violation_fails_at_once_and_rolls_back_earlier_statements()
    {
        var host = await HostAsync();
        var outcome = await host.Runner.RunAsync(
            Request("r-pk", "BEGIN INSERT INTO effects(v) VALUES (7); INSERT INTO uniques(k) VALUES (1); INSERT INTO uniques(k) VALUES (1); END", retries: 3), Ct);

        Assert.Equal(RunStatus.Failed, outcome.Status);
        Assert.Equal(1, outcome.Attempt);
        Assert.Matches("statement 3( of 3)? `", outcome.Error);
        Assert.DoesNotContain(host.Faults.Reached, r => r.Seam == RunSeam.BetweenAttempts);
        Assert.Equal(0, await CountEffectsAsync());
        Assert.False(await host.Runner.WasCommittedAsync(Tenant, "r-pk", Ct));
    }

    [Fact]
    public async Task A_syntax_error_fails_at_once_naming_the_statement()
    {
        var host = await HostAsync();
        var outcome = await host.Runner.RunAsync(Request("r-syntax", "BEGIN INSERT INTO effects(v) VALUES (1); SELEC 1; END", retries: 3), Ct);

        Assert.Equal(RunStatus.Failed, outcome.Status);
        Assert.Equal(1, outcome.Attempt);
        Assert.Matches("statement 2( of 2)? `SELEC 1`", outcome.Error);
        Assert.Equal(0, await CountEffectsAsync());
    }

    [Fact]
    public async Task A_timeout_cancels_the_running_statement_and_leaves_no_effect()
    {
        // The budget runs on the runner's clock: an hour of it passes at once here, which no wall clock could fake.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
        var host = await HostAsync(time);
        var run = host.Runner.RunAsync(
            Request("r-slow", $"BEGIN INSERT INTO effects(v) VALUES (1); {LongRunningStatement}; END", timeout: TimeSpan.FromHours(1)), Ct);

        // A statement that never ends by itself: short of the budget, nothing ends the run.
        time.Advance(TimeSpan.FromHours(1) - TimeSpan.FromSeconds(1));
        Assert.False(run.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        var outcome = await run.WaitAsync(TimeSpan.FromSeconds(60), Ct);

        Assert.Equal(RunStatus.TimedOut, outcome.Status);
        Assert.Equal(1, outcome.Attempt);
        Assert.Contains("timed out after 01:00:00", outcome.Error, StringComparison.Ordinal);
        Assert.Equal(0, await CountEffectsAsync());
        Assert.False(await host.Runner.WasCommittedAsync(Tenant, "r-slow", Ct));
    }

    [Fact]
    public async Task A_busy_writer_frees_the_slots_of_at_most_QueuedWithoutSlot_waiting_runs()
    {
        // One slot for the whole silo: the writer's lane holds it, so it never gets a further lane.
        var host = await HostAsync();
        var pool = new SlotPool(capacity: 1);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var blocker = host.Runner.RunAsync(
            Request("r-busy", $"BEGIN {LongRunningStatement}; END", timeout: TimeSpan.FromMinutes(5)) with { Slot = pool.Take(Tenant) }, stop.Token);

        // The lane takes up to a batch off the queue when it starts, which may be before or after the others queue: enough
        // runs that more than QueuedWithoutSlot stay queued either way.
        const int Batch = SqliteTenantWriter.MaxBatch > PostgresTenantWriter.MaxBatch ? SqliteTenantWriter.MaxBatch : PostgresTenantWriter.MaxBatch;
        const int Waiting = RunSlot.QueuedWithoutSlot + Batch + 5;
        var runs = new List<Task<JobOutcome>>();
        var slots = new List<RunSlot>();
        for (var i = 0; i < Waiting; i++)
        {
            slots.Add(pool.Take(Tenant));
            runs.Add(host.Runner.RunAsync(Request($"r-q-{i}", "BEGIN INSERT INTO effects(v) VALUES (1); END") with { Slot = slots[i] }, Ct));
        }

        // The lane's slot, and the slots of the runs that found more than QueuedWithoutSlot runs queued ahead of them: all
        // beyond it when the lane had taken only the busy run, a batch fewer when it took a whole batch after they queued.
        Assert.InRange(pool.Used, 1 + Waiting - RunSlot.QueuedWithoutSlot - (Batch - 1), 2 + Waiting - RunSlot.QueuedWithoutSlot);
        Assert.All(runs, r => Assert.False(r.IsCompleted));

        await stop.CancelAsync();
        Assert.Equal(RunStatus.Cancelled, (await blocker.WaitAsync(TimeSpan.FromSeconds(30), Ct)).Status);
        var outcomes = await Task.WhenAll(runs).WaitAsync(TimeSpan.FromSeconds(60), Ct);
        Assert.All(outcomes, o => Assert.Equal(RunStatus.Succeeded, o.Status));
        Assert.Equal(Waiting, await CountEffectsAsync());

        // As the dispatcher does when a run ends: a slot the run kept is freed now; one it gave back is not freed twice.
        slots.ForEach(slot => slot.ReleaseAtRunEnd());
        await Cluster.Until.TrueAsync(() => Task.FromResult(pool.Used == 0));
    }

    [Fact]
    public async Task Cancelling_the_run_rolls_it_back_as_cancelled()
    {
        var host = await HostAsync();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cancel.CancelAfter(TimeSpan.FromMilliseconds(300));

        var outcome = await host.Runner.RunAsync(Request("r-cancel", $"BEGIN INSERT INTO effects(v) VALUES (1); {LongRunningStatement}; END"), cancel.Token);

        Assert.Equal(RunStatus.Cancelled, outcome.Status);
        Assert.Equal(0, await CountEffectsAsync());
    }

    [Fact]
    public async Task The_ledger_is_pruned_by_age()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
        var host = await HostAsync(time, o => o.LedgerRetention = TimeSpan.FromDays(7));
        await host.Runner.RunAsync(Request("old", "BEGIN INSERT INTO effects(v) VALUES (1); END"), Ct);
        time.Advance(TimeSpan.FromDays(3));
        await host.Runner.RunAsync(Request("middle", "BEGIN INSERT INTO effects(v) VALUES (2); END"), Ct);
        time.Advance(TimeSpan.FromDays(5));

        await host.Runner.RunAsync(Request("new", "BEGIN INSERT INTO effects(v) VALUES (3); END"), Ct);

        Assert.False(await host.Runner.WasCommittedAsync(Tenant, "old", Ct));
        Assert.True(await host.Runner.WasCommittedAsync(Tenant, "middle", Ct));
        Assert.True(await host.Runner.WasCommittedAsync(Tenant, "new", Ct));
    }

    [Fact]
    public async Task The_executor_returns_typed_rows_and_the_tag()
    {
        var host = await HostAsync();
        var result = await host.Executor.ExecuteAsync(
            Tenant, "INSERT INTO effects(v) VALUES (41); INSERT INTO effects(v) VALUES (42); SELECT v, 'x' AS s, CAST(1.5 AS DOUBLE PRECISION) AS d, NULL AS n FROM effects ORDER BY v", "alice", Ct);

        Assert.Equal(["v", "s", "d", "n"], result.Columns);
        Assert.Equal(2, result.Rows.Length);
        Assert.Equal([42L, "x", 1.5, null], result.Rows[1]);
        Assert.Equal("SELECT 2", result.Tag);
        Assert.Equal(2, result.RowsAffected);
        Assert.Equal(3, result.Statements);
    }

    [Fact]
    public async Task An_executor_error_names_the_statement_and_commits_nothing()
    {
        var host = await HostAsync();
        var error = await Assert.ThrowsAsync<NodeDbException>(() =>
            host.Executor.ExecuteAsync(Tenant, "INSERT INTO effects(v) VALUES (1); INSERT INTO missing_table VALUES (1)", "alice", Ct));

        Assert.Equal(ErrorCodes.SqlError, error.Code);
        Assert.Matches(@"statement 2( of 2)? `INSERT INTO missing_table VALUES \(1\)`", error.Message);
        Assert.Contains("missing_table", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, await CountEffectsAsync());
    }

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected JobRequest Request(string runId, string body, int retries = 1, TimeSpan? timeout = null, string owner = "alice") => new()
    {
        Tenant = Tenant,
        Schedule = "job",
        RunId = runId,
        Body = body,
        Owner = owner,
        Timeout = timeout ?? TimeSpan.FromSeconds(20),
        Retries = retries,
    };

    /// <summary>A runner for this engine whose tenant database has tables <c>effects(v)</c> and <c>uniques(k primary key)</c>.</summary>
    private protected async Task<RunnerHost> HostAsync(TimeProvider? time = null, Action<TenantDatabaseOptions>? configure = null)
    {
        await CreateTenantDatabaseAsync();
        var host = RunnerHost.Create(
            o =>
            {
                Configure(o);
                configure?.Invoke(o);
            },
            time);
        _cleanup.Add(host);
        return host;
    }

    protected abstract void Configure(TenantDatabaseOptions options);

    protected abstract Task CreateTenantDatabaseAsync();

    protected abstract Task<long> CountEffectsAsync();

    /// <summary>Rows of a run id in the tenant's run ledger: exactly one for a run that took effect once.</summary>
    protected abstract Task<long> CountLedgerRowsAsync(string runId);

    /// <summary>Holds a lock on <c>effects</c> from another connection until disposed.</summary>
    protected abstract Task<IAsyncDisposable> HoldLockAsync();
}
