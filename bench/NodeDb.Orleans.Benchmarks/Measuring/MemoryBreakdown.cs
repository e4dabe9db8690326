using System.Globalization;
using NodeDb.Orleans.Grains.Health;
using NodeDb.Orleans.Grains.Scheduling;
using NodeDb.Orleans.Grains.Ticking;

namespace NodeDb.Orleans.Benchmarks.Measuring;

/// <summary>
/// What a schedule grain keeps per activation besides Orleans' own bookkeeping, measured piece by piece:
/// the objects each activation builds in its constructor and on load, and its tick-index entry.
/// </summary>
public static class MemoryBreakdown
{
    public static string Describe()
    {
        var routing = Allocated(() => ShardRouting.Parse(new Dictionary<string, string>()));
        var zone = Allocated(() => ScheduleZone.Parse("UTC"));
        var cron = Allocated(() => CronSchedule.Parse("0 0 0 1 1 *", null, ScheduleZone.Parse("UTC")));
        var index = IndexEntry();
        return string.Create(CultureInfo.InvariantCulture,
            $"Measured apart: per activation, CronSchedule.Parse {cron} B and one tick-index entry {index:0} B; once per silo " +
            $"(SchedulerSettings), ShardRouting.Parse {routing / 1024.0:0.00} KB and ScheduleZone.Parse {zone} B.");
    }

    private static long Allocated(Func<object> build)
    {
        build(); // JIT and static caches first.
        var before = GC.GetAllocatedBytesForCurrentThread();
        GC.KeepAlive(build());
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private static double IndexEntry()
    {
        const int n = 20_000;
        var keys = Enumerable.Range(0, n).Select(i => $"t{i / 100:D4}/i{i:D6}").ToArray();
        var due = DateTimeOffset.UtcNow.AddDays(30);
        var before = ProcessMeter.LiveManagedBytes();
        var index = new DueIndex();
        foreach (var key in keys)
        {
            index.Set(key, due);
        }

        var after = ProcessMeter.LiveManagedBytes();
        GC.KeepAlive(index);
        return (double)(after - before) / n;
    }
}
