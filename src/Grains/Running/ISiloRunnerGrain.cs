namespace NodeDb.Orleans.Grains.Running;

/// <summary>The dispatcher of one silo, reachable from any silo; keyed by the silo's parsable address. Used by SCOPE LOCAL.</summary>
[Alias("nodedb.ISiloRunnerGrain")]
public interface ISiloRunnerGrain : IGrainWithStringKey
{
    [Alias("Start")]
    Task<bool> StartAsync(RunTicket ticket);

    [Alias("Cancel")]
    Task<bool> CancelAsync(string runId, string reason);

    [Alias("IsRunning")]
    Task<bool> IsRunningAsync(string runId);
}
