using System.Collections.Concurrent;
using NodeDb.Orleans.Grains.History;
using NodeDb.Orleans.Tests.Cluster;
using NodeDb.Orleans.Tests.Firing;

namespace NodeDb.Orleans.Tests.History;

/// <summary>
/// A schedule's turn waits for its history append only <c>Scheduler:HistoryWait</c> (200 ms); slower history finishes in
/// the background, so the schedule arms and fires its next occurrence on time instead of waiting for history. Seen
/// before: a tenant's history grain busy for 1.3 s held every schedule of the tenant that long.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class HistoryWaitTests
{
    private static readonly DateTimeOffset Noon = new(2026, 1, 5, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_slow_history_append_does_not_hold_back_the_next_occurrence_and_its_rows_arrive_once()
    {
        var store = new GatedHistoryStore();
        await using var cluster = await SchedulerCluster.StartAsync(
            silos: 1, configure: o => o.HistoryWait = TimeSpan.FromMilliseconds(200), historyStore: store);
        await cluster.CreateAsync("t1", "m", "* * * * *");
        await cluster.AdvanceAsync(TimeSpan.Zero);

        store.Close();
        await cluster.AdvanceAsync(TimeSpan.FromSeconds(30)); // 12:01: runs; its row's append now hangs
        Assert.True(store.Waiting > 0, "the 12:01 row's append should be held by the closed store");

        cluster.Time.Advance(TimeSpan.FromMinutes(1)); // 12:02
        var tick = cluster.TickAsync();
        await Until.TrueAsync(
            () => Task.FromResult(cluster.Scripted.RequestsOf("t1", "m").Any(r => r.ScheduledAt == Noon.AddMinutes(2))),
            TimeSpan.FromSeconds(10));
        Assert.DoesNotContain(store.Rows, r => r.ScheduledAt == Noon.AddMinutes(1)); // history still holds it back

        store.Open();
        await tick;
        await cluster.DrainAsync();
        await Until.TrueAsync(() => Task.FromResult(store.Rows.Any(r => r.ScheduledAt == Noon.AddMinutes(2))), TimeSpan.FromSeconds(10));
        foreach (var minute in new[] { 1, 2 })
        {
            var row = Assert.Single(store.Rows.ToArray().DistinctBy(r => (r.RunId, r.Status)), r => r.ScheduledAt == Noon.AddMinutes(minute));
            Assert.Equal(RunStatus.Succeeded, row.Status);
        }

        // Nothing left behind in the schedule's outbox once history answered.
        await Until.TrueAsync(async () => !(await cluster.Schedule("t1", "m").GetStatusAsync())!.HistoryPending, TimeSpan.FromSeconds(10));
    }

    /// <summary>An in-memory history store whose appends wait while it is closed.</summary>
    private sealed class GatedHistoryStore : IHistoryStore
    {
        private volatile TaskCompletionSource _gate = Opened();

        public ConcurrentQueue<RunRecord> Rows { get; } = new();

        public int Waiting;

        public void Close() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Open() => _gate.TrySetResult();

        public async Task AppendAsync(string tenant, IReadOnlyList<RunRecord> runs, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Waiting);
            try
            {
                await _gate.Task.WaitAsync(cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref Waiting);
            }

            foreach (var run in runs)
            {
                Rows.Enqueue(run);
            }
        }

        public Task<IReadOnlyList<RunRecord>> QueryAsync(string tenant, HistoryQuery query, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<RunRecord>>([.. Rows.Where(r => query.Schedule is null || r.Schedule == query.Schedule)]);

        public Task<int> RemoveScheduleAsync(string tenant, string schedule, CancellationToken cancellationToken = default) => Task.FromResult(0);

        public Task<int> PruneAsync(string tenant, string schedule, int keepPerSchedule, DateTimeOffset olderThan, CancellationToken cancellationToken = default) =>
            Task.FromResult(0);

        private static TaskCompletionSource Opened()
        {
            var opened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            opened.TrySetResult();
            return opened;
        }
    }
}
