namespace NodeDb.Orleans;

/// <summary>The last status report of one replication group, keyed by group id; gates firing (DESIGN §5 step 2).</summary>
[Alias("nodedb.IRaftHealthGrain")]
public interface IRaftHealthGrain : IGrainWithStringKey
{
    [Alias("Report")]
    Task ReportAsync(RaftStatusReport report);

    /// <summary>The last report, or <see langword="null"/> when none arrived.</summary>
    [Alias("GetReport")]
    Task<RaftStatusReport?> GetReportAsync();

    /// <summary>May schedules on this group fire now? Lagging or leaderless: no. No report or a stale one: yes, unless configured to fail closed.</summary>
    [Alias("Check")]
    Task<HealthVerdict> CheckAsync();
}
