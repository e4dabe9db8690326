using Microsoft.Extensions.Options;
using NodeDb.Orleans.Grains.Hosting;
using NodeDb.Orleans.Grains.Placement;
using NodeDb.Orleans.Grains.Running;
using NodeDb.Orleans.Grains.Ticking;
using Orleans.Concurrency;

namespace NodeDb.Orleans.Grains.Diagnostics;

/// <summary>Reads the counters of the silo it is placed on; reads only, so any number of callers may ask at once.</summary>
[SiloTargetedPlacement, Reentrant]
public sealed class SiloLoadGrain(
    JobDispatcher dispatcher,
    SchedulerTickService ticker,
    IOptions<SchedulerOptions> options,
    ILocalSiloDetails silo) : Grain, ISiloLoadGrain
{
    public Task<SiloLoad> GetAsync() => Task.FromResult(new SiloLoad
    {
        Address = silo.SiloAddress.ToParsableString(),
        Name = silo.Name,
        Status = "active",
        SchedulesHosted = ticker.Count,
        Running = dispatcher.InFlight,
        Slots = options.Value.MaxConcurrentJobs,
        Queued = dispatcher.QueueLength,
        Held = dispatcher.Armed,
    });
}
