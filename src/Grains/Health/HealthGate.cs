using System.Collections.Concurrent;
using NodeDb.Orleans.Grains.Hosting;

namespace NodeDb.Orleans.Grains.Health;

/// <summary>
/// A silo-local cache of health verdicts, one call to a group's <see cref="IRaftHealthGrain"/> per second at most:
/// a burst of thousands of occurrences on one group must not become thousands of calls to one grain.
/// </summary>
/// <remarks>A new report therefore takes effect on this silo within <see cref="CacheFor"/>, like NodeDB's once-a-second check.</remarks>
public sealed class HealthGate(IGrainFactory grains, SchedulerClock clock)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, (DateTimeOffset Until, Task<HealthVerdict> Verdict)> _cache = new(StringComparer.Ordinal);

    public Task<HealthVerdict> CheckAsync(string group)
    {
        var now = clock.GetUtcNow();
        if (_cache.TryGetValue(group, out var cached) && now < cached.Until && now >= cached.Until - CacheFor && !cached.Verdict.IsFaulted)
        {
            return cached.Verdict;
        }

        var verdict = grains.GetGrain<IRaftHealthGrain>(group).CheckAsync();
        _cache[group] = (now + CacheFor, verdict);
        return verdict;
    }
}
