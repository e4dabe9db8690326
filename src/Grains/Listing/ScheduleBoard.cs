using System.Collections.Concurrent;
using System.Collections.Immutable;

namespace NodeDb.Orleans.Grains.Listing;

/// <summary>
/// This silo's summaries of the schedules it hosts (next run, last status, paused), by tenant: what the Schedules list
/// sorts and filters by without reading every schedule's status (10,000 grain calls for one page).
/// </summary>
/// <remarks>
/// Written by the schedule grains in their own turn (each time one computes its next run, and at its drop), read by
/// <see cref="SiloBoardGrain"/>. Like the tick index, an entry outlives an idle deactivation; a schedule that moved to
/// another silo leaves a stale entry here, which loses to the newer one there (<see cref="ScheduleSummary.AsOf"/>), and a
/// dropped schedule's entry is removed (elsewhere, it is no longer in the tenant's list, which readers start from).
/// </remarks>
public sealed class ScheduleBoard
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, ScheduleSummary>> _tenants = new(StringComparer.Ordinal);

    public void Set(string tenant, ScheduleSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        _tenants.GetOrAdd(tenant, static _ => new ConcurrentDictionary<string, ScheduleSummary>(StringComparer.Ordinal))[summary.Name] = summary;
    }

    public void Remove(string tenant, string name)
    {
        if (_tenants.TryGetValue(tenant, out var names))
        {
            names.TryRemove(name, out _);
        }
    }

    /// <summary>The summaries this silo holds for <paramref name="tenant"/>.</summary>
    public ImmutableArray<ScheduleSummary> Of(string tenant) =>
        _tenants.TryGetValue(tenant, out var names) ? [.. names.Values] : [];
}
