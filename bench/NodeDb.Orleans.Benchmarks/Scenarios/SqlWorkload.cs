using NodeDb.Orleans.Benchmarks.Measuring;
using NodeDb.Orleans.Benchmarks.NodeDb;
using Orleans;

namespace NodeDb.Orleans.Benchmarks.Scenarios;

/// <summary>Reads what the real runner left behind: history (as a user reads it), ledgers and effects.</summary>
public static class SqlWorkload
{
    /// <summary>One schedule per (tenant, name), as <see cref="ScheduleSetup.CreateAsync"/> created them.</summary>
    public static List<(string Tenant, string Schedule)> Schedules(IReadOnlyList<string> names, int perTenant, string tenantPrefix) =>
        [.. names.Select((name, i) => (ScheduleSetup.TenantOf(i, perTenant, tenantPrefix), name))];

    /// <summary>Disables every schedule, so nothing new starts while the run is counted; returns how many did not answer in time.</summary>
    /// <remarks>
    /// An overloaded silo may take long to answer; each call is given 5 s (a schedule that did not answer is reported,
    /// and the call may still land later), so a stuck silo costs the benchmark seconds, not minutes.
    /// </remarks>
    public static async Task<int> DisableAsync(IGrainFactory grains, IEnumerable<(string Tenant, string Schedule)> schedules)
    {
        var failed = 0;
        await Parallel.ForEachAsync(schedules, new ParallelOptions { MaxDegreeOfParallelism = 256 }, async (s, _) =>
        {
            try
            {
                await grains.GetGrain<IScheduleGrain>(ScheduleKey.Of(s.Tenant, s.Schedule)).SetEnabledAsync(false).WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (TimeoutException)
            {
                Interlocked.Increment(ref failed);
            }
        });
        return failed;
    }

    /// <summary>
    /// The window's history summary and the whole run's exactly-once check. Reads the ledgers first, then history;
    /// a run whose completion was still on its way shows as a mismatch, so a mismatch is read again twice, 2 s apart.
    /// </summary>
    public static async Task<(HistorySummary History, ExactlyOnceCheck Once, string WholeRun)> MeasureAsync(
        NodeDbSilo silo, IReadOnlyList<(string Tenant, string Schedule)> schedules, DateTimeOffset from, DateTimeOffset to, int expected)
    {
        var tenants = schedules.Select(s => s.Tenant).Distinct(StringComparer.Ordinal).ToList();
        for (var attempt = 0; ; attempt++)
        {
            var counts = new Dictionary<string, (long Ledger, long Effects)>(StringComparer.Ordinal);
            foreach (var tenant in tenants)
            {
                counts[tenant] = await TenantDatabases.CountAsync(silo, tenant);
            }

            var rows = await HistoryReader.ReadAsync(silo.Grains, schedules);
            var succeeded = rows.Where(r => r.Status == RunStatus.Succeeded).GroupBy(r => r.Tenant, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => (long)g.Count(), StringComparer.Ordinal);
            var once = ExactlyOnceCheck.Of(tenants.Select(t => (counts[t].Ledger, counts[t].Effects, succeeded.GetValueOrDefault(t))));
            if (once.Mismatch == 0 || attempt == 2)
            {
                var wholeRun = HistorySummary.Of(rows, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 0).Statuses;
                return (HistorySummary.Of(rows, from, to, expected), once, wholeRun);
            }

            await Task.Delay(TimeSpan.FromSeconds(2));
        }
    }
}
