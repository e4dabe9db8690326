using System.Collections.Immutable;
using NodeDb.Orleans.Grains.Listing;

namespace NodeDb.Orleans.Grains.Sessions;

/// <summary>A tenant's schedule summaries from the silos' boards: one call per silo instead of one per schedule.</summary>
public sealed partial class SqlSessionGrain
{
    public async Task<ImmutableArray<ScheduleSummary>> GetSummariesAsync()
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
        var result = ImmutableArray.CreateBuilder<ScheduleSummary>(names.Length);
        foreach (var name in names)
        {
            if (latest.TryGetValue(name, out var summary))
            {
                result.Add(summary);
            }
        }

        return result.DrainToImmutable();

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
