using System.Collections.Concurrent;
using NodeDb.Orleans.Grains.History;
using NodeDb.Orleans.Tests.Cluster;
using NodeDb.Orleans.Tests.Firing;

namespace NodeDb.Orleans.Tests.History;

[Collection(ClusterCollection.Name)]
public sealed class HistoryGroupCommitTests
{
    [Fact]
    public async Task Appends_complete_with_a_store_that_finishes_synchronously_and_batch_with_a_slow_one()
    {
        var store = new RecordingStore();
        await using var cluster = await SchedulerCluster.StartAsync(silos: 1, historyStore: store);
        for (var i = 0; i < 20; i++)
        {
            await cluster.CreateAsync("t1", $"s{i:D2}", "* * * * *");
        }

        store.Delay = null; // synchronous completion: the writer must not be left looking busy
        await cluster.AdvanceAsync(TimeSpan.Zero);
        store.Delay = TimeSpan.FromMilliseconds(50); // slow: appends arriving meanwhile join the next batch
        await cluster.AdvanceAsync(TimeSpan.FromMinutes(1));
        await cluster.AdvanceAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(60, store.Rows.Count);
        Assert.Equal(60, store.Rows.Select(r => r.RunId).Distinct().Count());
        Assert.True(store.Batches < 60, $"{store.Batches} store transactions for 60 rows: nothing was grouped");
    }

    private sealed class RecordingStore : IHistoryStore
    {
        public ConcurrentQueue<RunRecord> Rows { get; } = new();

        public int Batches;

        public TimeSpan? Delay { get; set; }

        public async Task AppendAsync(string tenant, IReadOnlyList<RunRecord> runs, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Batches);
            if (Delay is { } delay)
            {
                await Task.Delay(delay, TimeProvider.System, cancellationToken);
            }

            foreach (var run in runs)
            {
                Rows.Enqueue(run);
            }
        }

        public Task<IReadOnlyList<RunRecord>> QueryAsync(string tenant, HistoryQuery query, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<RunRecord>>([.. Rows]);

        public Task<int> RemoveScheduleAsync(string tenant, string schedule, CancellationToken cancellationToken = default) => Task.FromResult(0);

        public Task<int> PruneAsync(string tenant, string schedule, int keepPerSchedule, DateTimeOffset olderThan, CancellationToken cancellationToken = default) =>
            Task.FromResult(0);
    }
}
