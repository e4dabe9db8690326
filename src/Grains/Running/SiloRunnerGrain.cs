using NodeDb.Orleans.Grains.Placement;
using Orleans.Concurrency;

namespace NodeDb.Orleans.Grains.Running;

/// <summary>Forwards to the <see cref="JobDispatcher"/> of the silo it is placed on.</summary>
[SiloTargetedPlacement, Reentrant]
public sealed class SiloRunnerGrain(JobDispatcher dispatcher) : Grain, ISiloRunnerGrain
{
    public Task<bool> StartAsync(RunTicket ticket) => Task.FromResult(dispatcher.TryStart(ticket));

    public Task<bool> CancelAsync(string runId, string reason) => Task.FromResult(dispatcher.Cancel(runId, reason));

    public Task<bool> IsRunningAsync(string runId) => Task.FromResult(dispatcher.IsRunning(runId));
}
