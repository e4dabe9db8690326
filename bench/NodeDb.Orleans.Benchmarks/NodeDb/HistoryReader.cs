using Orleans;

namespace NodeDb.Orleans.Benchmarks.NodeDb;

/// <summary>Reads history as a user does (<c>IJobHistoryGrain.QueryAsync</c>, what <c>nodedb schedule history</c> calls).</summary>
public static class HistoryReader
{
    private const int Limit = 10_000;

    /// <summary>Every row of the given schedules, one query per schedule (a schedule's rows stay far below the limit).</summary>
    public static async Task<List<RunRecord>> ReadAsync(IGrainFactory grains, IEnumerable<(string Tenant, string Schedule)> schedules, int concurrency = 16)
    {
        var rows = new System.Collections.Concurrent.ConcurrentBag<RunRecord>();
        await Parallel.ForEachAsync(schedules, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (s, _) =>
        {
            var found = await grains.GetGrain<IJobHistoryGrain>(s.Tenant).QueryAsync(new HistoryQuery { Schedule = s.Schedule, Limit = Limit });
            if (found.Length >= Limit)
            {
                throw new InvalidOperationException($"Schedule {s.Tenant}/{s.Schedule} has {Limit} history rows or more: shorten the window.");
            }

            foreach (var row in found)
            {
                rows.Add(row);
            }
        });
        return [.. rows];
    }
}
