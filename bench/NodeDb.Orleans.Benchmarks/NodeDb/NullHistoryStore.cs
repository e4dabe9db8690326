using NodeDb.Orleans.Grains.History;

namespace NodeDb.Orleans.Benchmarks.NodeDb;

/// <summary>Keeps no history: for the in-memory diagnostic run, which takes storage out of the hot path.</summary>
public sealed class NullHistoryStore : IHistoryStore
{
    public Task AppendAsync(string tenant, IReadOnlyList<RunRecord> runs, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<IReadOnlyList<RunRecord>> QueryAsync(string tenant, HistoryQuery query, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<RunRecord>>([]);

    public Task<int> RemoveScheduleAsync(string tenant, string schedule, CancellationToken cancellationToken = default) => Task.FromResult(0);

    public Task<int> PruneAsync(string tenant, string schedule, int keepPerSchedule, DateTimeOffset olderThan, CancellationToken cancellationToken = default) =>
        Task.FromResult(0);
}
