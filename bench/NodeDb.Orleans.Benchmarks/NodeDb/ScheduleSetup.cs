using System.Diagnostics;
using Orleans;

namespace NodeDb.Orleans.Benchmarks.NodeDb;

/// <summary>Creates schedules through the grain factory, as a client would, many calls at once.</summary>
public static class ScheduleSetup
{
    public const string Body = "BEGIN SELECT 1; END";

    /// <summary>The user's workload of issue 15: a one-row INSERT (the tenant's <c>fx</c> table exists beforehand).</summary>
    public const string InsertBody = "BEGIN INSERT INTO fx(at) VALUES (1); END";

    /// <summary>Creates one schedule per name, spread over tenants of <paramref name="perTenant"/> schedules; returns the time it took.</summary>
    public static async Task<TimeSpan> CreateAsync(
        IGrainFactory grains, IReadOnlyList<string> names, string cron, int perTenant, int concurrency, string tenantPrefix = "t", string body = Body)
    {
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(
            Enumerable.Range(0, names.Count),
            new ParallelOptions { MaxDegreeOfParallelism = concurrency },
            async (i, _) =>
            {
                var definition = new ScheduleDefinition
                {
                    Tenant = TenantOf(i, perTenant, tenantPrefix),
                    Name = names[i],
                    Cron = cron,
                    Body = body,
                };
                await grains.GetGrain<IScheduleGrain>(definition.Key).CreateAsync(definition);
            });
        return clock.Elapsed;
    }

    /// <summary>The tenant of the i-th schedule, as <see cref="CreateAsync"/> names it.</summary>
    public static string TenantOf(int i, int perTenant, string tenantPrefix = "t") => $"{tenantPrefix}{i / perTenant:D4}";

    public static string[] Names(string prefix, int count) =>
        [.. Enumerable.Range(0, count).Select(i => $"{prefix}{i:D6}")];
}
