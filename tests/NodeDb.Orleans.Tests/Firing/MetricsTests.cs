using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using NodeDb.Orleans.Grains.Diagnostics;
using NodeDb.Orleans.Tests.Cluster;

namespace NodeDb.Orleans.Tests.Firing;

[Collection(ClusterCollection.Name)]
public sealed class MetricsTests
{
    [Fact]
    public async Task Runs_by_status_lateness_and_active_schedules_are_measured()
    {
        var measurements = new ConcurrentQueue<(string Name, double Value, string? Status)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == SchedulerInstruments.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => measurements.Enqueue((i.Name, v, Status(tags))));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => measurements.Enqueue((i.Name, v, Status(tags))));
        listener.SetMeasurementEventCallback<int>((i, v, tags, _) => measurements.Enqueue((i.Name, v, Status(tags))));
        listener.Start();

        await using var cluster = await SchedulerCluster.StartAsync(silos: 1);
        await cluster.CreateAsync("metrics", "m", "* * * * *", d => d with { Overlap = OverlapPolicy.Skip });
        await cluster.CreateAsync("metrics", "idle", "0 0 1 1 *");
        cluster.Scripted.Hold("m");
        await cluster.TickAsync();           // 12:00 starts 30 s after its time (the clock starts at 12:00:30)
        await cluster.Scripted.WhenStartedAsync("m");
        cluster.Time.Advance(TimeSpan.FromMinutes(1));
        await cluster.TickAsync();           // 12:01 is skipped: 12:00 is still running
        cluster.Scripted.Release("m");
        await cluster.DrainAsync();
        listener.RecordObservableInstruments();

        Assert.Contains(measurements, m => m is { Name: "nodedb.scheduler.run.start_lateness", Value: 30d });
        Assert.Equal(1, measurements.Count(m => m is { Name: "nodedb.scheduler.runs", Status: "Succeeded" }));
        Assert.Equal(1, measurements.Count(m => m is { Name: "nodedb.scheduler.runs", Status: "Skipped" }));
        // m at 12:00 and 12:01; "idle" made its first observation at its create and is due next year.
        Assert.Equal(2, measurements.Where(m => m.Name == "nodedb.scheduler.pokes").Sum(m => m.Value));
        Assert.Contains(measurements, m => m is { Name: "nodedb.scheduler.schedules.active", Value: 2 });
    }

    private static string? Status(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == SchedulerTags.Outcome)
            {
                return tag.Value as string;
            }
        }

        return null;
    }
}
