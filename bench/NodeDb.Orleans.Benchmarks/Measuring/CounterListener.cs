using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace NodeDb.Orleans.Benchmarks.Measuring;

/// <summary>Sums selected counters (Orleans reminder ticks, scheduler pokes) while it lives.</summary>
public sealed class CounterListener : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _totals = new(StringComparer.Ordinal);

    public CounterListener(params string[] instruments)
    {
        var wanted = instruments.ToHashSet(StringComparer.Ordinal);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (wanted.Contains(instrument.Name))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => _totals.AddOrUpdate(instrument.Name, value, (_, t) => t + value));
        _listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => _totals.AddOrUpdate(instrument.Name, value, (_, t) => t + value));
        _listener.Start();
    }

    public long this[string instrument] => _totals.GetValueOrDefault(instrument);

    public void Dispose() => _listener.Dispose();
}
