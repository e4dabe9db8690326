using System.Diagnostics.Metrics;

namespace NodeDb.Orleans.Grains.Diagnostics;

/// <summary>The scheduler's metrics, in one place: meter <c>NodeDb.Orleans.Scheduler</c>.</summary>
public sealed class SchedulerInstruments : IDisposable
{
    public const string MeterName = "NodeDb.Orleans.Scheduler";

    private readonly Meter _meter;
    private readonly Counter<long> _runs;
    private readonly Histogram<double> _lateness;
    private readonly Counter<long> _pokes;

    public SchedulerInstruments(IMeterFactory meterFactory, Ticking.DueIndex index)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentNullException.ThrowIfNull(index);
        _meter = meterFactory.Create(MeterName);
        _runs = _meter.CreateCounter<long>("nodedb.scheduler.runs", "{run}", "History rows written, by status.");
        _lateness = _meter.CreateHistogram<double>(
            "nodedb.scheduler.firing_lateness", "ms", "From an occurrence's scheduled instant to its run starting.");
        _pokes = _meter.CreateCounter<long>("nodedb.scheduler.pokes", "{poke}", "Schedule grains the tick service called because they were due.");
        _meter.CreateObservableGauge("nodedb.scheduler.active_schedules", () => index.Count, "{schedule}", "Schedules active on this silo with a due instant.");
    }

    public void RunRecorded(RunStatus status) =>
        _runs.Add(1, new KeyValuePair<string, object?>("status", status.ToString()));

    public void RunStarted(TimeSpan lateness) => _lateness.Record(Math.Max(0, lateness.TotalMilliseconds));

    public void Poked(int count) => _pokes.Add(count);

    public void Dispose() => _meter.Dispose();
}
