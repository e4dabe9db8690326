using NodeDb.Orleans.Grains.History;

namespace NodeDb.Orleans.Tests.History;

/// <summary>The real SQLite history store with an outage switch: while <see cref="Down"/>, appends fail as an unreachable store's would.</summary>
public sealed class UnavailableHistoryStore(IHistoryStore inner) : IHistoryStore
{
    public volatile bool Down;

    public int FailedAppends;

    public Task AppendAsync(string tenant, IReadOnlyList<RunRecord> runs, CancellationToken cancellationToken = default)
    {
        if (Down)
        {
            Interlocked.Increment(ref FailedAppends);
            throw new IOException("History store unavailable (injected outage).");
        }

        return inner.AppendAsync(tenant, runs, cancellationToken);
    }

    public Task<IReadOnlyList<RunRecord>> QueryAsync(string tenant, HistoryQuery query, CancellationToken cancellationToken = default) =>
        inner.QueryAsync(tenant, query, cancellationToken);

    public Task<int> RemoveScheduleAsync(string tenant, string schedule, CancellationToken cancellationToken = default) =>
        inner.RemoveScheduleAsync(tenant, schedule, cancellationToken);

    public Task<int> PruneAsync(string tenant, string schedule, int keepPerSchedule, DateTimeOffset olderThan, CancellationToken cancellationToken = default) =>
        inner.PruneAsync(tenant, schedule, keepPerSchedule, olderThan, cancellationToken);
}
