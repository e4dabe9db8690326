using NodeDb.Orleans.Grains.History;

namespace NodeDb.Orleans.Tests.History;

public sealed class SqliteHistoryStoreTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("nodedb-history-");
    private readonly SqliteHistoryStore _store;

    public SqliteHistoryStoreTests() => _store = new SqliteHistoryStore(Path.Combine(_dir.FullName, "history.db"));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static RunRecord Run(string schedule, int minute, RunStatus status = RunStatus.Succeeded, string? reason = null) => new()
    {
        RunId = $"{schedule}.{minute}",
        Tenant = "t1",
        Schedule = schedule,
        Status = status,
        ScheduledAt = T0.AddMinutes(minute),
        RecordedAt = T0.AddMinutes(minute).AddSeconds(1),
        StartedAt = T0.AddMinutes(minute),
        FinishedAt = T0.AddMinutes(minute).AddMilliseconds(250),
        Attempt = 1,
        Owner = "alice",
        Reason = reason,
    };

    /// <summary>
    /// Queries, removals and prunes run off the caller's thread: one waiting for the file's lock (up to the 30 s busy
    /// timeout) must not hold the history grain's turn, as Microsoft.Data.Sqlite's synchronous I/O would.
    /// </summary>
    [Fact]
    public async Task Queries_removals_and_prunes_waiting_for_the_files_lock_give_the_caller_its_thread_back()
    {
        await _store.AppendAsync("t1", [Run("a", 1), Run("a", 2), Run("b", 1)], Ct);

        Task<IReadOnlyList<RunRecord>> query;
        Task<int> prune;
        Task<int> remove;
        using (var held = NodeDb.Orleans.Tests.Storage.SqliteFileLock.Exclusive(Path.Combine(_dir.FullName, "history.db")))
        {
            query = _store.QueryAsync("t1", new HistoryQuery { Schedule = "a" }, Ct);
            Assert.False(query.IsCompleted, "the query returned only after it had waited for (or failed on) the lock");
            prune = _store.PruneAsync("t1", "a", 1, T0, Ct);
            Assert.False(prune.IsCompleted, "the prune returned only after it had waited for (or failed on) the lock");
            remove = _store.RemoveScheduleAsync("t1", "b", Ct);
            Assert.False(remove.IsCompleted, "the removal returned only after it had waited for (or failed on) the lock");
        }

        Assert.Equal(2, (await query).Count);
        Assert.Equal(1, await prune);
        Assert.Equal(1, await remove);
        Assert.Equal(["a.2"], (await _store.QueryAsync("t1", new HistoryQuery(), Ct)).Select(r => r.RunId).ToList());
    }

    [Fact]
    public async Task Appending_the_same_run_id_again_keeps_one_row_with_the_later_values()
    {
        await _store.AppendAsync("t1", [Run("a", 1, RunStatus.Failed)], Ct);
        await _store.AppendAsync("t1", [Run("a", 1, RunStatus.Succeeded, "recovered")], Ct);

        var row = Assert.Single(await _store.QueryAsync("t1", new HistoryQuery { Schedule = "a" }, Ct));
        Assert.Equal((RunStatus.Succeeded, "recovered"), (row.Status, row.Reason));
        Assert.Equal(TimeSpan.FromMilliseconds(250), row.Duration);
        Assert.Equal("alice", row.Owner);
    }

    [Fact]
    public async Task Queries_are_newest_first_filtered_by_schedule_status_and_tenant()
    {
        await _store.AppendAsync("t1", [Run("a", 1), Run("a", 2, RunStatus.Skipped), Run("a", 3), Run("b", 4)], Ct);
        await _store.AppendAsync("t2", [Run("a", 5) with { Tenant = "t2" }], Ct);

        var all = await _store.QueryAsync("t1", new HistoryQuery { Schedule = "a" }, Ct);
        Assert.Equal(["a.3", "a.2", "a.1"], all.Select(r => r.RunId).ToList());
        var skipped = await _store.QueryAsync("t1", new HistoryQuery { Schedule = "a", Status = RunStatus.Skipped }, Ct);
        Assert.Equal("a.2", Assert.Single(skipped).RunId);
        var limited = await _store.QueryAsync("t1", new HistoryQuery { Limit = 2 }, Ct);
        Assert.Equal(["b.4", "a.3"], limited.Select(r => r.RunId).ToList());
    }

    [Fact]
    public async Task Prune_keeps_the_newest_rows_per_schedule_and_drops_old_ones_and_remove_drops_a_schedule()
    {
        await _store.AppendAsync("t1", [.. Enumerable.Range(0, 10).Select(m => Run("a", m)), Run("b", 0)], Ct);

        Assert.Equal(7, await _store.PruneAsync("t1", "a", keepPerSchedule: 3, olderThan: T0, Ct));
        Assert.Equal(["a.9", "a.8", "a.7"], (await _store.QueryAsync("t1", new HistoryQuery { Schedule = "a" }, Ct)).Select(r => r.RunId).ToList());
        Assert.Equal(2, await _store.PruneAsync("t1", "a", keepPerSchedule: 3, olderThan: T0.AddMinutes(9), Ct));
        Assert.Equal(1, await _store.RemoveScheduleAsync("t1", "a", Ct));
        Assert.Empty(await _store.QueryAsync("t1", new HistoryQuery { Schedule = "a" }, Ct));
        Assert.Single(await _store.QueryAsync("t1", new HistoryQuery { Schedule = "b" }, Ct));
    }

    [Fact]
    public async Task Rows_survive_reopening_the_file()
    {
        await _store.AppendAsync("t1", [Run("a", 1)], Ct);
        var reopened = new SqliteHistoryStore(Path.Combine(_dir.FullName, "history.db"));
        Assert.Equal("a.1", Assert.Single(await reopened.QueryAsync("t1", new HistoryQuery(), Ct)).RunId);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Delete(recursive: true);
    }
}
