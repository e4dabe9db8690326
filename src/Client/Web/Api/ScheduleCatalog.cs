namespace NodeDb.Orleans.Client.Web.Api;

/// <summary>
/// Lists a tenant's schedules. Sorted by name without a filter, only the page's schedules are read; a filter or another
/// sort is paged by the silo from the tenant's schedule summaries (<see cref="ISqlSessionGrain.GetSummariesAsync"/>: one
/// call per silo), and then the page's statuses are read.
/// </summary>
public static class ScheduleCatalog
{
    /// <summary>How far past its next run a schedule must be to count as late (the tick grace).</summary>
    public static readonly TimeSpan LateAfter = ScheduleQuery.LateAfter;

    public static async Task<(IReadOnlyList<ScheduleStatus> Items, int Total)> PageAsync(
        IClusterClient client, string tenant, ScheduleListQuery query, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(query);
        var skip = (query.Page - 1) * query.PageSize;
        if (query.Filter is null && query.Sort == "name")
        {
            // In the tenant list's order; only the page's statuses are read.
            var names = (await client.GetGrain<ITenantSchedulesGrain>(tenant).ListAsync())
                .Where(n => query.Search is null || n.Contains(query.Search, StringComparison.OrdinalIgnoreCase))
                .ToList();
            return (await StatusesAsync(client, tenant, names.Skip(skip).Take(query.PageSize)), names.Count);
        }

        // Filters and other sorts: the silo pages the tenant's summaries (one call per silo), then the page's statuses are read.
        var page = await client.GetGrain<ISqlSessionGrain>(tenant).GetSummariesAsync(new ScheduleQuery
        {
            Search = query.Search, Filter = query.Filter, Sort = query.Sort ?? "name", Skip = skip, Take = query.PageSize,
        });
        return (await StatusesAsync(client, tenant, page.Items.Select(s => s.Name)), page.Total);
    }

    /// <summary>How far the next run is overdue (zero when it is not).</summary>
    public static TimeSpan Lateness(ScheduleStatus status, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(status);
        return status.NextRun is { } next && next < now ? now - next : TimeSpan.Zero;
    }

    private static async Task<List<ScheduleStatus>> StatusesAsync(IClusterClient client, string tenant, IEnumerable<string> names)
    {
        var statuses = await Task.WhenAll(names.Select(n => client.GetGrain<IScheduleGrain>(ScheduleKey.Of(tenant, n)).GetStatusAsync()));
        // A schedule dropped between the listing and the read is simply left out.
        return [.. statuses.OfType<ScheduleStatus>()];
    }
}
