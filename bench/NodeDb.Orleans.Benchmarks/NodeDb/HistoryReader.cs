using System.Collections.Concurrent;
using Orleans;

namespace NodeDb.Orleans.Benchmarks.NodeDb;

/// <summary>Reads history as a user does (<c>IJobHistoryGrain.QueryAsync</c>, what <c>nodedb schedule history</c> calls).</summary>
public static class HistoryReader
{
    private const int Limit = 10_000;

    /// <summary>
    /// Every row of the given schedules: one query per tenant, or one per schedule for a tenant whose rows reach the
    /// query limit (10,000).
    /// </summary>
    public static async Task<List<RunRecord>> ReadAsync(IGrainFactory grains, IEnumerable<(string Tenant, string Schedule)> schedules, int concurrency = 16)
    {
        var rows = new ConcurrentBag<RunRecord>();
        var byTenant = schedules.GroupBy(s => s.Tenant, s => s.Schedule, StringComparer.Ordinal).ToList();
        await Parallel.ForEachAsync(byTenant, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (tenant, _) =>
        {
            var names = tenant.ToHashSet(StringComparer.Ordinal);
            var history = grains.GetGrain<IJobHistoryGrain>(tenant.Key);
            var all = await history.QueryAsync(new HistoryQuery { Limit = Limit });
            if (all.Length < Limit)
            {
                foreach (var row in all.Where(r => names.Contains(r.Schedule)))
                {
                    rows.Add(row);
                }

                return;
            }

            foreach (var name in names)
            {
                var found = await history.QueryAsync(new HistoryQuery { Schedule = name, Limit = Limit });
                if (found.Length >= Limit)
                {
                    throw new InvalidOperationException($"Schedule {tenant.Key}/{name} has {Limit} history rows or more: shorten the window.");
                }

                foreach (var row in found)
                {
                    rows.Add(row);
                }
            }
        });
        return [.. rows];
    }
}
