namespace NodeDb.Orleans.Client.Web.Api;

/// <summary>A page of a tenant's schedules: search, filter, sort.</summary>
/// <param name="Search">Part of the name, any case.</param>
/// <param name="Filter"><c>paused</c>, <c>failing</c> (last run failed, timed out, was rejected or interrupted), <c>late</c> (next run overdue), or null.</param>
/// <param name="Sort"><c>name</c> (default), <c>next</c>, <c>status</c> or <c>lateness</c>.</param>
/// <param name="Page">From 1.</param>
/// <param name="PageSize">1 to 500.</param>
public sealed record ScheduleListQuery(string? Search, string? Filter, string? Sort, int Page, int PageSize)
{
    public static readonly string[] Filters = ScheduleQuery.Filters;
    public static readonly string[] Sorts = ScheduleQuery.Sorts;

    /// <summary>Checks the values; the message names the value and the reason.</summary>
    public static ScheduleListQuery Parse(string? q, string? filter, string? sort, int? page, int? pageSize)
    {
        if (filter is { Length: > 0 } f && !Filters.Contains(f, StringComparer.Ordinal))
        {
            throw new UsageException($"filter '{f}' is invalid: use {string.Join(", ", Filters)}.");
        }

        if (sort is { Length: > 0 } s && !Sorts.Contains(s, StringComparer.Ordinal))
        {
            throw new UsageException($"sort '{s}' is invalid: use {string.Join(", ", Sorts)}.");
        }

        if (page is < 1 or > 1_000_000)
        {
            throw new UsageException($"page {page} is invalid: pages count from 1.");
        }

        if (pageSize is < 1 or > 500)
        {
            throw new UsageException($"pageSize {pageSize} is invalid: give 1 to 500.");
        }

        return new ScheduleListQuery(
            string.IsNullOrWhiteSpace(q) ? null : q.Trim(),
            string.IsNullOrEmpty(filter) ? null : filter,
            string.IsNullOrEmpty(sort) ? "name" : sort,
            page ?? 1,
            pageSize ?? 50);
    }
}
