namespace NodeDb.Orleans.Grains.Running;

/// <summary>The dispatcher of one silo, reachable from any silo; keyed by the silo's parsable address.</summary>
/// <remarks>
/// Used for SCOPE LOCAL runs and to ask a live silo about a run it was given: a schedule grain settles a run on another
/// silo from the ledger only when that silo is gone or does not know the dispatch.
/// </remarks>
[Alias("nodedb.ISiloRunnerGrain")]
public interface ISiloRunnerGrain : IGrainWithStringKey
{
    [Alias("Start")]
    Task<bool> StartAsync(RunTicket ticket);

    /// <summary>Cancels the run; with <paramref name="onlyBeforeStart"/>, only while it is held for its instant.</summary>
    [Alias("Cancel")]
    Task<bool> CancelAsync(string scheduleKey, string runId, string reason, bool onlyBeforeStart = false);

    /// <summary>Where the dispatch stands here, with its completion when it ended but could not be delivered; null when this silo does not know it.</summary>
    [Alias("Find")]
    Task<DispatchReport?> FindAsync(string scheduleKey, string runId, string dispatch);

    /// <summary>The schedule settled a parked completion: the dispatcher may forget it.</summary>
    [Alias("Forget")]
    Task ForgetAsync(string scheduleKey, string runId, string dispatch);
}
