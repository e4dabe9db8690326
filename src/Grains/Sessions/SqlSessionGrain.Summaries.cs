using System.Collections.Immutable;
using NodeDb.Orleans.Grains.Listing;

namespace NodeDb.Orleans.Grains.Sessions;

/// <summary>A tenant's schedule summaries from the silos' boards: one call per silo instead of one per schedule.</summary>
public sealed partial class SqlSessionGrain
{
    public async Task<SchedulePage> GetSummariesAsync(ScheduleQuery query)
    {
        Check(query);
        var now = clock.GetUtcNow();
        var search = query.Search;
        IEnumerable<ScheduleSummary> all = (await AllSummariesAsync()).Where(s => search is null || s.Name.Contains(search, StringComparison.OrdinalIgnoreCase));
        all = query.Filter switch
        {
            "paused" => all.Where(s => s.Paused),
            "failing" => all.Where(s => s.LastStatus is RunStatus.Failed or RunStatus.TimedOut or RunStatus.Rejected or RunStatus.Interrupted),
            "late" => all.Where(s => Lateness(s, now) > ScheduleQuery.LateAfter),
            _ => all,
        };
        all = query.Sort switch
        {
            "next" => all.OrderBy(s => s.NextRun ?? DateTimeOffset.MaxValue).ThenBy(s => s.Name, StringComparer.Ordinal),
            "status" => all.OrderBy(s => s.LastStatus is null ? int.MaxValue : (int)s.LastStatus).ThenBy(s => s.Name, StringComparer.Ordinal),
            "lateness" => all.OrderByDescending(s => Lateness(s, now)).ThenBy(s => s.Name, StringComparer.Ordinal),
            _ => all.OrderBy(s => s.Name, StringComparer.Ordinal),
        };
        var matching = all.ToList();
        return new SchedulePage { Items = [.. matching.Skip(query.Skip).Take(query.Take)], Total = matching.Count };
    }

    private static TimeSpan Lateness(ScheduleSummary s, DateTimeOffset now) =>
        s.NextRun is { } next && next < now ? now - next : TimeSpan.Zero;

    private static void Check(ScheduleQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Filter is not null && !ScheduleQuery.Filters.Contains(query.Filter, StringComparer.Ordinal))
        {
            throw new NodeDbException(ErrorCodes.InvalidDefinition, $"Filter '{query.Filter}' is invalid: use {string.Join(", ", ScheduleQuery.Filters)}.");
        }

        if (!ScheduleQuery.Sorts.Contains(query.Sort, StringComparer.Ordinal))
        {
            throw new NodeDbException(ErrorCodes.InvalidDefinition, $"Sort '{query.Sort}' is invalid: use {string.Join(", ", ScheduleQuery.Sorts)}.");
        }

        if (query.Skip < 0 || query.Take is < 1 or > ScheduleQuery.MaxTake)
        {
            throw new NodeDbException(ErrorCodes.InvalidDefinition, $"Skip {query.Skip} and take {query.Take} are invalid: skip from 0, take 1 to {ScheduleQuery.MaxTake}.");
        }
    }

    /// <summary>Every schedule of the tenant's list with its summary, from the silos' boards (one call per silo).</summary>
    private async Task<List<ScheduleSummary>> AllSummariesAsync()
    {
        var namesTask = GrainFactory.GetGrain<ITenantSchedulesGrain>(Tenant).ListAsync();
        var silos = membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress.ToParsableString());
        var boards = await Task.WhenAll(silos.Select(BoardAsync));
        var names = await namesTask;

        // A schedule that moved leaves its old summary on the silo it left: the later one stands.
        var latest = new Dictionary<string, ScheduleSummary>(names.Length, StringComparer.Ordinal);
        foreach (var summary in boards.SelectMany(b => b))
        {
            if (!latest.TryGetValue(summary.Name, out var seen) || summary.AsOf > seen.AsOf)
            {
                latest[summary.Name] = summary;
            }
        }

        // Names no board knows (not active on a live silo since it started, or on a silo that did not answer): read them.
        var missing = names.Where(n => !latest.ContainsKey(n)).ToList();
        if (missing.Count > 0)
        {
            var now = clock.GetUtcNow();
            var read = await Task.WhenAll(missing.Select(n => Schedule(n).GetStatusAsync()));
            foreach (var status in read.OfType<ScheduleStatus>())
            {
                latest[status.Definition.Name] = ScheduleSummary.Of(status, now);
            }
        }

        // The tenant's list is the authority: a name it no longer holds (dropped) is left out, whatever a board says.
        var result = new List<ScheduleSummary>(names.Length);
        foreach (var name in names)
        {
            if (latest.TryGetValue(name, out var summary))
            {
                result.Add(summary);
            }
        }

        return result;

        async Task<ImmutableArray<ScheduleSummary>> BoardAsync(string silo)
        {
            try
            {
                return await GrainFactory.GetGrain<ISiloBoardGrain>(silo).GetAsync(Tenant).WaitAsync(SiloAnswerTimeout);
            }
            catch (Exception e) when (e is TimeoutException or OrleansException or InvalidOperationException)
            {
                // Its schedules are read one by one instead: slower, never wrong.
                return [];
            }
        }
    }
}
