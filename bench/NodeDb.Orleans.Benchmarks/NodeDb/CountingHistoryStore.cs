using System.Diagnostics;
using NodeDb.Orleans.Benchmarks.Measuring;
using NodeDb.Orleans.Grains.History;

namespace NodeDb.Orleans.Benchmarks.NodeDb;

/// <summary>Counts every history-store operation.</summary>
public sealed class CountingHistoryStore(IHistoryStore inner, StorageCounter counter) : IHistoryStore
{
    public async Task AppendAsync(string tenant, IReadOnlyList<RunRecord> runs, CancellationToken cancellationToken = default)
    {
        counter.History();
        var started = Stopwatch.GetTimestamp();
        await inner.AppendAsync(tenant, runs, cancellationToken);
        counter.HistoryTook(Stopwatch.GetElapsedTime(started));
    }

    public Task<IReadOnlyList<RunRecord>> QueryAsync(string tenant, HistoryQuery query, CancellationToken cancellationToken = default)
    {
        counter.History();
        return inner.QueryAsync(tenant, query, cancellationToken);
    }

    public Task<int> RemoveScheduleAsync(string tenant, string schedule, CancellationToken cancellationToken = default)
    {
        counter.History();
        return inner.RemoveScheduleAsync(tenant, schedule, cancellationToken);
    }

    public Task<int> PruneAsync(string tenant, string schedule, int keepPerSchedule, DateTimeOffset olderThan, CancellationToken cancellationToken = default)
    {
        counter.History();
        return inner.PruneAsync(tenant, schedule, keepPerSchedule, olderThan, cancellationToken);
    }
}
