using System.Globalization;

namespace NodeDb.Orleans.Benchmarks.Measuring;

/// <summary>CPU per thread name from /proc (Linux), so an idle window can say which threads burned the time.</summary>
public static class ThreadCpu
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux.

    /// <summary>CPU seconds so far, summed by thread name.</summary>
    public static Dictionary<string, double> Snapshot()
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        if (!Directory.Exists("/proc/self/task"))
        {
            return result;
        }

        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                var name = File.ReadAllText(Path.Combine(task, "comm")).Trim();
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                result[name] = result.GetValueOrDefault(name) + ticks / TicksPerSecond;
            }
            catch (IOException)
            {
                // The thread ended while being read.
            }
        }

        return result;
    }

    /// <summary>The threads that used the most CPU between two snapshots, as text.</summary>
    public static string Top(Dictionary<string, double> before, Dictionary<string, double> after, int count = 4) =>
        string.Join(", ", after
            .Select(kv => (Name: kv.Key, Seconds: kv.Value - before.GetValueOrDefault(kv.Key)))
            .Where(t => t.Seconds > 0)
            .OrderByDescending(t => t.Seconds)
            .Take(count)
            .Select(t => string.Create(CultureInfo.InvariantCulture, $"'{t.Name}' {t.Seconds * 1000:0} ms")));
}
