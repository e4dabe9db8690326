using System.Diagnostics.Metrics;

namespace NodeDb.Orleans.Grains.Diagnostics;

/// <summary>The scheduler's counters and histograms, in one place: meter <c>NodeDb.Orleans.Scheduler</c>.</summary>
/// <remarks>
/// Durations are in seconds, as OpenTelemetry's conventions use, measured on the infrastructure
/// <see cref="TimeProvider"/> (never the scheduler clock, which tests move by hand). Runs and run durations carry the
/// tenant (<see cref="SchedulerTags.Tenant"/>): a silo emits at most one series per tenant, outcome and trigger, and
/// the exporter's cardinality limit (docs/operations.md) caps what reaches the backend. The observable gauges live in
/// <see cref="SchedulerGauges"/>.
/// </remarks>
public sealed class SchedulerInstruments : IDisposable
{
    public const string MeterName = "NodeDb.Orleans.Scheduler";

    /// <summary>Bucket bounds for durations in seconds: 1 ms to 5 min. OpenTelemetry's default bounds assume milliseconds.</summary>
    private static readonly IReadOnlyList<double> SecondsBuckets =
        [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

    private readonly Meter _meter;
    private readonly TimeProvider _time;
    private readonly Counter<long> _runs;
    private readonly Histogram<double> _lateness;
    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _historyWrite;
    private readonly Histogram<double> _claimWrite;
    private readonly Counter<long> _pokes;

    public SchedulerInstruments(IMeterFactory meterFactory, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _meter = meterFactory.Create(MeterName);
        _runs = _meter.CreateCounter<long>("nodedb.scheduler.runs", "{run}", "History rows written: runs and occurrences that did not run, by outcome.");
        _lateness = Seconds("nodedb.scheduler.run.start_lateness", "From a cron occurrence's scheduled instant to its run starting.");
        _duration = Seconds("nodedb.scheduler.run.duration", "From a run starting to its end, all attempts and backoff included.");
        _historyWrite = Seconds("nodedb.scheduler.history.write.duration", "One batch of history rows written to the history store.");
        _claimWrite = Seconds("nodedb.scheduler.claim.write.duration", "One write of a schedule's state: a claim of an occurrence, a completion, a definition change.");
        _pokes = _meter.CreateCounter<long>("nodedb.scheduler.pokes", "{poke}", "Schedule grains the tick service called because they were due.");
    }

    /// <summary>A timestamp of the infrastructure clock, for <see cref="HistoryWritten"/> and <see cref="ClaimWritten"/>.</summary>
    public long Timestamp() => _time.GetTimestamp();

    /// <summary>One history row written: counts it by outcome, and records its run's duration when it ran.</summary>
    public void RunRecorded(RunRecord row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var tags = new System.Diagnostics.TagList
        {
            { SchedulerTags.Outcome, row.Status.ToString() },
            { SchedulerTags.Trigger, row.Trigger.ToString() },
            { SchedulerTags.Tenant, row.Tenant },
        };
        _runs.Add(1, tags);
        if (row.Duration is { } duration)
        {
            _duration.Record(Math.Max(0, duration.TotalSeconds), tags);
        }
    }

    /// <summary>A cron run started <paramref name="lateness"/> after its scheduled instant.</summary>
    public void RunStarted(TimeSpan lateness, string? tenant = null)
    {
        var seconds = Math.Max(0, lateness.TotalSeconds);
        if (tenant is null)
        {
            _lateness.Record(seconds);
        }
        else
        {
            _lateness.Record(seconds, new KeyValuePair<string, object?>(SchedulerTags.Tenant, tenant));
        }
    }

    public void HistoryWritten(long startTimestamp, int rows) =>
        _historyWrite.Record(_time.GetElapsedTime(startTimestamp).TotalSeconds, new KeyValuePair<string, object?>(SchedulerTags.Rows, rows > 1 ? "batch" : "single"));

    public void ClaimWritten(long startTimestamp) => _claimWrite.Record(_time.GetElapsedTime(startTimestamp).TotalSeconds);

    public void Poked(int count) => _pokes.Add(count);

    public void Dispose() => _meter.Dispose();

    private Histogram<double> Seconds(string name, string description) =>
        _meter.CreateHistogram(name, "s", description, tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
}
