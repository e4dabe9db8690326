using NodeDb.Orleans.Benchmarks.NodeDb;

namespace NodeDb.Orleans.Benchmarks.Scenarios;

/// <summary>The steps S4 and S6 share on a cluster of real silo processes: waiting for runs, settling, counting.</summary>
public static class ProcessClusterSteps
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

    /// <summary>Waits until every schedule has succeeded <paramref name="runs"/> times after <paramref name="since"/>; returns the silo of each one's latest run.</summary>
    public static async Task<Dictionary<string, string>> HostsAsync(FailoverClient client, string tenant, IReadOnlyList<string> names, DateTimeOffset since, int runs)
    {
        var hosts = new Dictionary<string, string>(StringComparer.Ordinal);
        var deadline = DateTimeOffset.UtcNow + Limit;
        foreach (var name in names)
        {
            while (true)
            {
                var done = (await client.HistoryAsync(tenant, name))
                    .Where(r => r.Status == RunStatus.Succeeded && r.Silo is not null && r.StartedAt > since)
                    .OrderBy(r => r.StartedAt).ToList();
                if (done.Count >= runs)
                {
                    hosts[name] = done[^1].Silo!;
                    break;
                }

                if (DateTimeOffset.UtcNow > deadline)
                {
                    throw new TimeoutException($"{tenant}/{name} ran {done.Count} times in {Limit.TotalSeconds} s, not {runs}.");
                }

                await Task.Delay(Poll);
            }
        }

        return hosts;
    }

    /// <summary>Disables every schedule, then waits until none has a run in flight; returns each one's last fired occurrence.</summary>
    public static async Task<Dictionary<string, DateTimeOffset>> StopAndSettleAsync(FailoverClient client, string tenant, List<string> names)
    {
        await Task.WhenAll(names.Select(name => client.DisableAsync(tenant, name)));
        var lastFired = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var deadline = DateTimeOffset.UtcNow + Limit;
        foreach (var name in names)
        {
            ScheduleStatus? status;
            while ((status = await client.StatusAsync(tenant, name)) is not { InFlight.IsEmpty: true, HistoryPending: false })
            {
                if (DateTimeOffset.UtcNow > deadline)
                {
                    throw new TimeoutException($"{tenant}/{name} still had runs in flight {Limit.TotalSeconds} s after it was disabled.");
                }

                await Task.Delay(Poll);
            }

            lastFired[name] = status.LastFired ?? throw new InvalidOperationException($"{tenant}/{name} never fired.");
        }

        return lastFired;
    }

    /// <summary>
    /// Fires beyond one per occurrence: occurrences (cron, queued or catch-up) with more than one started or succeeded
    /// row, plus run ids whose body took effect more than once.
    /// </summary>
    public static int Duplicates(IReadOnlyList<RunRecord> history, IReadOnlyDictionary<string, int> effects)
    {
        var starts = history
            .Where(r => r.Trigger is RunTrigger.Cron or RunTrigger.Queue or RunTrigger.CatchUp && r.ScheduledAt is { } && (r.Status == RunStatus.Succeeded || r.StartedAt is { }))
            .SelectMany(r => Covered(r.CoversFrom ?? r.ScheduledAt!.Value, r.ScheduledAt!.Value))
            .GroupBy(t => t)
            .Count(g => g.Count() > 1);
        return starts + effects.Values.Count(c => c > 1);
    }

    private static IEnumerable<DateTimeOffset> Covered(DateTimeOffset from, DateTimeOffset to)
    {
        for (var t = from; t <= to; t = t.AddSeconds(1))
        {
            yield return t;
        }
    }

    public static double Median(List<double> values)
    {
        var sorted = values.Where(double.IsFinite).Order().ToList();
        return sorted.Count == 0 ? double.NaN
            : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2]
            : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>The largest value; NaN (shown as "–", and a missed target) when a round never finished.</summary>
    public static double Max(List<double> values) =>
        values.Count == 0 || values.Any(double.IsNaN) ? double.NaN : values.Max();
}
