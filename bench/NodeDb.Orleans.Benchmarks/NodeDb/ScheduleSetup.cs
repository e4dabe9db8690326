using System.Diagnostics;
using Orleans;

namespace NodeDb.Orleans.Benchmarks.NodeDb;

/// <summary>Creates schedules through the grain factory, as a client would, many calls at once.</summary>
public static class ScheduleSetup
{
    public const string Body = "BEGIN SELECT 1; END";

    /// <summary>Creates one schedule per name, spread over tenants of <paramref name="perTenant"/> schedules; returns the time it took.</summary>
    public static async Task<TimeSpan> CreateAsync(
        IGrainFactory grains, IReadOnlyList<string> names, string cron, int perTenant, int concurrency, string tenantPrefix = "t")
    {
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(
            Enumerable.Range(0, names.Count),
            new ParallelOptions { MaxDegreeOfParallelism = concurrency },
            async (i, _) =>
            {
                var definition = new ScheduleDefinition
                {
                    Tenant = $"{tenantPrefix}{i / perTenant:D4}",
                    Name = names[i],
                    Cron = cron,
                    Body = Body,
                };
                await grains.GetGrain<IScheduleGrain>(definition.Key).CreateAsync(definition);
            });
        return clock.Elapsed;
    }

    public static string[] Names(string prefix, int count) =>
        [.. Enumerable.Range(0, count).Select(i => $"{prefix}{i:D6}")];
}
