using System.Globalization;

namespace NodeDb.Orleans.Benchmarks.Measuring;

/// <summary>
/// What idle, armed <see cref="Timer"/>s cost on their own: N timers due in 5 minutes beside one 100 ms timer
/// (the silo always has short timers), CPU measured with and without them. Isolates the cost of one reminder timer per schedule.
/// </summary>
public static class TimerProbe
{
    public static async Task<string> RunAsync(int count, TimeSpan window)
    {
        using var busy = new Timer(_ => { }, null, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(100));
        var without = await ProcessMeter.MeasureCpuAsync(window);
        var timers = new Timer[count];
        for (var i = 0; i < count; i++)
        {
            timers[i] = new Timer(_ => { }, null, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(5));
        }

        var with = await ProcessMeter.MeasureCpuAsync(window);
        foreach (var timer in timers)
        {
            await timer.DisposeAsync();
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"Timer probe: {count} idle timers (due in 5 min) beside one 100 ms timer: {with.CoreFraction * 100:0.00} % of a core against {without.CoreFraction * 100:0.00} % without them, over {window.TotalSeconds:0} s.");
    }
}
