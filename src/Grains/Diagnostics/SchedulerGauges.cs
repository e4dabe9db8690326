using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using NodeDb.Orleans.Grains.Hosting;
using NodeDb.Orleans.Grains.Running;
using NodeDb.Orleans.Grains.Ticking;

namespace NodeDb.Orleans.Grains.Diagnostics;

/// <summary>
/// The scheduler's observable gauges (meter <c>NodeDb.Orleans.Scheduler</c>): read only when an exporter collects, from
/// small properties of the tick index and the dispatcher, so they cost nothing between scrapes.
/// </summary>
/// <remarks>A lifecycle participant only so that the silo creates it at start; it subscribes to no stage.</remarks>
public sealed class SchedulerGauges : ILifecycleParticipant<ISiloLifecycle>
{
    public SchedulerGauges(IMeterFactory meterFactory, DueIndex index, JobDispatcher dispatcher, IOptions<SchedulerOptions> options)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(dispatcher);
        ArgumentNullException.ThrowIfNull(options);
        var cap = options.Value.MaxConcurrentJobs;
        // The factory hands out one meter per name, shared with SchedulerInstruments, and disposes it with the silo.
        var meter = meterFactory.Create(SchedulerInstruments.MeterName);
        meter.CreateObservableUpDownCounter("nodedb.scheduler.schedules.active", () => index.Count, "{schedule}", "Schedules active on this silo with a due instant (the tick index).");
        meter.CreateObservableUpDownCounter("nodedb.scheduler.schedules.armed", () => dispatcher.Armed, "{run}", "Occurrences claimed ahead of their instant and held by this silo's dispatcher until then.");
        meter.CreateObservableUpDownCounter("nodedb.scheduler.queue.length", () => dispatcher.QueueLength, "{run}", "Runs due on this silo waiting for a free slot.");
        meter.CreateObservableUpDownCounter("nodedb.scheduler.slots.used", () => dispatcher.InFlight, "{slot}", "Slots taken on this silo now: runs running and tenant writers' lanes.");
        meter.CreateObservableUpDownCounter("nodedb.scheduler.slots.limit", () => cap, "{slot}", "Scheduler:MaxConcurrentJobs, the cap on transactions open at once on this silo.");
    }

    public void Participate(ISiloLifecycle lifecycle)
    {
    }
}
