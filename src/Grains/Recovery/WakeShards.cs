using System.Globalization;

namespace NodeDb.Orleans.Grains.Recovery;

/// <summary>Which wake-registry shard holds a schedule key.</summary>
public static class WakeShards
{
    /// <summary>The number of shards. Changing it moves keys between shards: never change it on a running deployment.</summary>
    public const int Count = 64;

    /// <summary>The shard key of a schedule: FNV-1a over its UTF-8 key, modulo <see cref="Count"/>. Stable across processes.</summary>
    public static string ShardOf(string scheduleKey)
    {
        ArgumentNullException.ThrowIfNull(scheduleKey);
        return (Health.ShardRouting.StableHash(scheduleKey) % Count).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Every shard key, <c>"0"</c>..<c>"63"</c>.</summary>
    public static IEnumerable<string> All => Enumerable.Range(0, Count).Select(i => i.ToString(CultureInfo.InvariantCulture));
}
