namespace NodeDb.Orleans.Tests.Failover;

/// <summary>The steps of a failover check, shared by the TestCluster and the real-process versions.</summary>
public static class FailoverSteps
{
    public static IReadOnlyList<string> Names(int count) => [.. Enumerable.Range(0, count).Select(i => $"f{i:D2}")];

    /// <summary>Creates every-second schedules and waits until each ran twice; returns the silo each one runs on.</summary>
    public static async Task<Dictionary<string, string>> StartAsync(IClusterClient client, string tenant, IReadOnlyList<string> names, MissedPolicy missed)
    {
        foreach (var name in names)
        {
            await Schedules.CreateAsync(client, Schedules.EverySecond(tenant, name, missed));
        }

        var hosts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            var history = await Schedules.UntilAsync(() => Schedules.HistoryAsync(client, tenant, name),
                h => h.Count(r => r.Status == RunStatus.Succeeded && r.Silo is not null) >= 2, $"{name} to run twice");
            hosts[name] = history.First(r => r.Status == RunStatus.Succeeded && r.Silo is not null).Silo!;
        }

        return hosts;
    }

    /// <summary>
    /// Waits until every schedule that ran on <paramref name="victim"/> has run on a survivor after <paramref name="killedAt"/>;
    /// returns the earliest such start (the first fire on a survivor).
    /// </summary>
    public static async Task<DateTimeOffset> FirstFireOnSurvivorAsync(
        IClusterClient client, string tenant, IEnumerable<string> orphans, string victim, DateTimeOffset killedAt, TimeSpan limit)
    {
        var first = DateTimeOffset.MaxValue;
        foreach (var name in orphans)
        {
            var history = await Schedules.UntilAsync(() => Schedules.HistoryAsync(client, tenant, name),
                h => h.Any(r => OnSurvivor(r, victim, killedAt)), $"{name} to fire on a survivor", limit);
            var start = history.Where(r => OnSurvivor(r, victim, killedAt)).Min(r => r.StartedAt!.Value);
            first = start < first ? start : first;
        }

        return first;
    }

    private static bool OnSurvivor(RunRecord r, string victim, DateTimeOffset killedAt) =>
        r.Status == RunStatus.Succeeded && r.Silo is not null && r.Silo != victim && r.StartedAt > killedAt;
}
