using System.Collections.Immutable;
using Microsoft.Extensions.Options;
using NodeDb.Orleans.Grains.Hosting;
using Orleans.Concurrency;

namespace NodeDb.Orleans.Grains.History;

/// <summary>A tenant's run history. Rows live in the profile's <see cref="IHistoryStore"/>; retention keeps it bounded.</summary>
public sealed class JobHistoryGrain(IHistoryStore store, SchedulerClock clock, IOptions<SchedulerOptions> options)
    : Grain, IJobHistoryGrain
{
    private const int PruneEvery = 100;
    private const int MaxLimit = 10_000;
    private readonly Dictionary<string, int> _appendsSincePrune = new(StringComparer.Ordinal);

    private string Tenant => this.GetPrimaryKeyString();

    public async Task AppendAsync(ImmutableArray<RunRecord> runs)
    {
        if (runs.IsDefaultOrEmpty)
        {
            return;
        }

        foreach (var run in runs)
        {
            if (!string.Equals(run.Tenant, Tenant, StringComparison.Ordinal))
            {
                throw new ArgumentException($"Run '{run.RunId}' belongs to tenant '{run.Tenant}', not '{Tenant}'.", nameof(runs));
            }
        }

        await store.AppendAsync(Tenant, runs);
        foreach (var schedule in runs.Select(r => r.Schedule).Distinct(StringComparer.Ordinal))
        {
            var count = _appendsSincePrune.GetValueOrDefault(schedule) + runs.Count(r => r.Schedule == schedule);
            if (count < PruneEvery)
            {
                _appendsSincePrune[schedule] = count;
                continue;
            }

            _appendsSincePrune[schedule] = 0;
            var o = options.Value;
            await store.PruneAsync(Tenant, schedule, o.HistoryKeepPerSchedule, clock.GetUtcNow() - o.HistoryRetention);
        }
    }

    [ReadOnly]
    public async Task<ImmutableArray<RunRecord>> QueryAsync(HistoryQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Limit is < 1 or > MaxLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(query), query.Limit, $"History limit {query.Limit} must be between 1 and {MaxLimit}.");
        }

        return [.. await store.QueryAsync(Tenant, query)];
    }

    public Task<int> RemoveScheduleAsync(string schedule)
    {
        ArgumentException.ThrowIfNullOrEmpty(schedule);
        _appendsSincePrune.Remove(schedule);
        return store.RemoveScheduleAsync(Tenant, schedule);
    }
}
