using NodeDb.Orleans.Benchmarks.Measuring;

namespace NodeDb.Orleans.Benchmarks.Scenarios;

/// <summary>Job starts of one system, reduced to the figures the tables show.</summary>
public sealed record LatenessSummary(int Expected, int Fired, int Duplicates, int Early, double P50, double P99, double Max, double LastStartedMs)
{
    /// <summary>Keeps the starts scheduled in [from, to); fired counts distinct (schedule, instant) pairs.</summary>
    public static LatenessSummary Of(IEnumerable<JobStart> starts, DateTimeOffset from, DateTimeOffset to, int expected)
    {
        var inWindow = starts.Where(s => s.ScheduledAt >= from && s.ScheduledAt < to).ToList();
        var distinct = inWindow.DistinctBy(s => (s.Schedule, s.ScheduledAt)).Count();
        var percentiles = new Percentiles(inWindow.Select(s => s.LatenessMs));
        var last = inWindow.Count == 0 ? double.NaN : (inWindow.Max(s => s.StartedAt) - from).TotalMilliseconds;
        return new LatenessSummary(
            expected, distinct, inWindow.Count - distinct, inWindow.Count(s => s.LatenessMs < 0),
            percentiles.At(50), percentiles.At(99), percentiles.Max, last);
    }

    public double FiredPercent => Expected == 0 ? double.NaN : 100.0 * Fired / Expected;
}
