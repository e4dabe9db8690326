using System.Globalization;

namespace NodeDb.Orleans.Grains.Schedules;

/// <summary>
/// Run ids. A cron occurrence has a deterministic id (schedule, generation, instant), so a second claim of the
/// same occurrence, however it happened, collides in the run ledger and in history instead of running twice.
/// </summary>
public static class RunIds
{
    public static string ForOccurrence(string schedule, long generation, DateTimeOffset occurrence) =>
        string.Create(CultureInfo.InvariantCulture, $"{schedule}.g{generation}.{occurrence.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}");

    /// <summary>A manual or backfill run: unique, since a user may run the same instant again on purpose.</summary>
    public static string ForRequest(string schedule, RunTrigger trigger, DateTimeOffset at) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"{schedule}.{trigger.ToString().ToLowerInvariant()}.{at.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}.{Guid.NewGuid().ToString("N")[..8]}");

    /// <summary>The run of a SCOPE LOCAL occurrence on one silo.</summary>
    public static string OnSilo(string runId, string silo) => $"{runId}@{silo}";
}
