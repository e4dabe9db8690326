using System.Globalization;

namespace NodeDb.Orleans.Benchmarks.Measuring;

/// <summary>
/// What a user reads from <c>nodedb schedule history</c> for the occurrences scheduled in a window: how many
/// succeeded, were rejected or ran more than one attempt, and how late the bodies started.
/// </summary>
/// <param name="Expected">Occurrences the schedules had in the window.</param>
/// <param name="Succeeded">Occurrences with a Succeeded row.</param>
/// <param name="Rejected">Rejected rows.</param>
/// <param name="SecondAttempts">Rows whose outcome came from an attempt after the first.</param>
/// <param name="Duplicates">Occurrences with more than one Succeeded row (two run ids for one instant).</param>
/// <param name="Missing">Expected occurrences without any row.</param>
/// <param name="P50">Start lateness (StartedAt − ScheduledAt) of the Succeeded rows, ms.</param>
/// <param name="LastFinishedMs">The last Succeeded row's FinishedAt after the window's start, ms.</param>
/// <param name="Statuses">Rows per status, e.g. "Succeeded 6000, Rejected 3".</param>
public sealed record HistorySummary(
    int Expected, int Succeeded, int Rejected, int SecondAttempts, int Duplicates, int Missing,
    double P50, double P99, double Max, double LastFinishedMs, string Statuses)
{
    public double SucceededPercent => Expected == 0 ? double.NaN : 100.0 * Succeeded / Expected;

    /// <summary>Keeps the rows scheduled in [from, to).</summary>
    public static HistorySummary Of(IEnumerable<RunRecord> rows, DateTimeOffset from, DateTimeOffset to, int expected)
    {
        var inWindow = rows.Where(r => r.ScheduledAt is { } at && at >= from && at < to).ToList();
        var succeeded = inWindow.Where(r => r.Status == RunStatus.Succeeded).ToList();
        var byOccurrence = succeeded.GroupBy(r => (r.Tenant, r.Schedule, r.ScheduledAt)).ToList();
        var seen = inWindow.Select(r => (r.Tenant, r.Schedule, r.ScheduledAt)).Distinct().Count();
        var lateness = new Percentiles(succeeded.Where(r => r.StartedAt is not null).Select(r => (r.StartedAt!.Value - r.ScheduledAt!.Value).TotalMilliseconds));
        var finished = succeeded.Where(r => r.FinishedAt is not null).Select(r => r.FinishedAt!.Value).ToList();
        var statuses = string.Join(", ", inWindow.GroupBy(r => r.Status).OrderBy(g => g.Key).Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key} {g.Count()}")));
        return new HistorySummary(
            expected,
            byOccurrence.Count,
            inWindow.Count(r => r.Status == RunStatus.Rejected),
            inWindow.Count(r => r.Attempt > 1),
            byOccurrence.Count(g => g.Count() > 1),
            Math.Max(0, expected - seen),
            lateness.At(50),
            lateness.At(99),
            lateness.Max,
            finished.Count == 0 ? double.NaN : (finished.Max() - from).TotalMilliseconds,
            statuses.Length == 0 ? "no rows" : statuses);
    }
}
