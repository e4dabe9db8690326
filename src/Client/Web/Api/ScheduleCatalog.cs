namespace NodeDb.Orleans.Client.Web.Api;

/// <summary>
/// Lists a tenant's schedules. Sorted by name without a filter, only the page's schedules are read; a filter or another
/// sort goes by the tenant's schedule summaries (<see cref="ISqlSessionGrain.GetSummariesAsync"/>: one call per silo),
/// and then reads the page's statuses.
/// </summary>
public static class ScheduleCatalog
{
    /// <summary>How far past its next run a schedule must be to count as late (the tick grace).</summary>
    public static readonly TimeSpan LateAfter = TimeSpan.FromSeconds(5);

    public static async Task<(IReadOnlyList<ScheduleStatus> Items, int Total)> PageAsync(
        IClusterClient client, string tenant, ScheduleListQuery query, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(query);
        var names = (await client.GetGrain<ITenantSchedulesGrain>(tenant).ListAsync())
            .Where(n => query.Search is null || n.Contains(query.Search, StringComparison.OrdinalIgnoreCase))
            .ToList();
        var skip = (query.Page - 1) * query.PageSize;
        if (query.Filter is null && query.Sort == "name")
        {
            var page = await StatusesAsync(client, tenant, names.Skip(skip).Take(query.PageSize));
            return (page, names.Count);
        }

        // Filters and other sorts go by the tenant's summaries (one call per silo), then only the page's statuses are read.
        var search = query.Search;
        IEnumerable<ScheduleSummary> all = (await client.GetGrain<ISqlSessionGrain>(tenant).GetSummariesAsync())
            .Where(s => search is null || s.Name.Contains(search, StringComparison.OrdinalIgnoreCase));
        all = query.Filter switch
        {
            "paused" => all.Where(s => s.Paused),
            "failing" => all.Where(s => s.LastStatus is RunStatus.Failed or RunStatus.TimedOut or RunStatus.Rejected or RunStatus.Interrupted),
            "late" => all.Where(s => Lateness(s.NextRun, now) > LateAfter),
            _ => all,
        };
        all = query.Sort switch
        {
            "next" => all.OrderBy(s => s.NextRun ?? DateTimeOffset.MaxValue).ThenBy(s => s.Name, StringComparer.Ordinal),
            "status" => all.OrderBy(s => s.LastStatus is null ? int.MaxValue : (int)s.LastStatus).ThenBy(s => s.Name, StringComparer.Ordinal),
            "lateness" => all.OrderByDescending(s => Lateness(s.NextRun, now)).ThenBy(s => s.Name, StringComparer.Ordinal),
            _ => all,
        };
        var list = all.ToList();
        return (await StatusesAsync(client, tenant, list.Skip(skip).Take(query.PageSize).Select(s => s.Name)), list.Count);
    }

    /// <summary>How far the next run is overdue (zero when it is not).</summary>
    public static TimeSpan Lateness(ScheduleStatus status, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(status);
        return Lateness(status.NextRun, now);
    }

    private static TimeSpan Lateness(DateTimeOffset? nextRun, DateTimeOffset now) =>
        nextRun is { } next && next < now ? now - next : TimeSpan.Zero;

    private static async Task<List<ScheduleStatus>> StatusesAsync(IClusterClient client, string tenant, IEnumerable<string> names)
    {
        var statuses = await Task.WhenAll(names.Select(n => client.GetGrain<IScheduleGrain>(ScheduleKey.Of(tenant, n)).GetStatusAsync()));
        // A schedule dropped between the listing and the read is simply left out.
        return [.. statuses.OfType<ScheduleStatus>()];
    }
}
