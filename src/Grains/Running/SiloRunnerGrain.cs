using NodeDb.Orleans.Grains.Placement;
using Orleans.Concurrency;

namespace NodeDb.Orleans.Grains.Running;

/// <summary>Forwards to the <see cref="JobDispatcher"/> of the silo it is placed on.</summary>
[SiloTargetedPlacement, Reentrant]
public sealed class SiloRunnerGrain(JobDispatcher dispatcher) : Grain, ISiloRunnerGrain
{
    public Task<bool> StartAsync(RunTicket ticket) => Task.FromResult(dispatcher.TryAccept(ticket));

    public Task<bool> CancelAsync(string scheduleKey, string runId, string reason, bool onlyBeforeStart = false) =>
        Task.FromResult(dispatcher.Cancel(new RunKey(scheduleKey, runId), reason, onlyBeforeStart));

    public Task<DispatchReport?> FindAsync(string scheduleKey, string runId, string dispatch) =>
        Task.FromResult(dispatcher.Find(new RunKey(scheduleKey, runId), dispatch));

    public Task ForgetAsync(string scheduleKey, string runId, string dispatch)
    {
        dispatcher.Forget(new RunKey(scheduleKey, runId), dispatch);
        return Task.CompletedTask;
    }
}
