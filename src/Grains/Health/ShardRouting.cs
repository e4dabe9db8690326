using System.Globalization;
using System.Text;

namespace NodeDb.Orleans.Grains.Health;

/// <summary>NodeDB's routing: a collection maps to one of 1,024 vShards by a stable hash, a vShard to a replication group.</summary>
public sealed class ShardRouting
{
    public const int VShardCount = 1024;
    public const string DefaultGroup = "0";

    private readonly string[] _groupOfVShard;

    private ShardRouting(string[] groupOfVShard) => _groupOfVShard = groupOfVShard;

    public static ShardRouting Default { get; } = Parse(new Dictionary<string, string>());

    /// <summary>Parses ranges such as <c>"0-511" → "g1"</c> or <c>"7" → "g2"</c>; unlisted vShards stay in group 0.</summary>
    /// <exception cref="ArgumentException">A range that is not <c>a-b</c> or <c>n</c> within 0–1023, or overlaps another.</exception>
    public static ShardRouting Parse(IReadOnlyDictionary<string, string> ranges)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        var groups = Enumerable.Repeat(DefaultGroup, VShardCount).ToArray();
        var assigned = new bool[VShardCount];
        foreach (var (range, group) in ranges)
        {
            var (from, to) = ParseRange(range);
            if (string.IsNullOrWhiteSpace(group))
            {
                throw new ArgumentException($"Routing range '{range}' names an empty group.", nameof(ranges));
            }

            for (var v = from; v <= to; v++)
            {
                if (assigned[v])
                {
                    throw new ArgumentException($"Routing range '{range}' overlaps another range at vShard {v}.", nameof(ranges));
                }

                assigned[v] = true;
                groups[v] = group;
            }
        }

        return new ShardRouting(groups);
    }

    /// <summary>The vShard of a collection: FNV-1a over its lower-case UTF-8 name, modulo 1,024. Stable across processes.</summary>
    public static int VShardOf(string collection)
    {
        ArgumentNullException.ThrowIfNull(collection);
        return (int)(StableHash(collection.ToLowerInvariant()) % VShardCount);
    }

    /// <summary>FNV-1a over the UTF-8 bytes: the same value in every process and version, unlike <see cref="string.GetHashCode()"/>.</summary>
    public static uint StableHash(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash = unchecked((hash ^ b) * 16777619u);
        }

        return hash;
    }

    /// <summary>The group that gates a schedule: its target collection's group, or vShard 0's for a schedule without one.</summary>
    public string GroupOf(string? collection) => _groupOfVShard[collection is null ? 0 : VShardOf(collection)];

    private static (int From, int To) ParseRange(string range)
    {
        var parts = range.Split('-', StringSplitOptions.TrimEntries);
        if (parts.Length is 1 or 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var from)
            && int.TryParse(parts[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var to)
            && from <= to && to < VShardCount)
        {
            return (from, to);
        }

        throw new ArgumentException($"Routing range '{range}' must be 'n' or 'a-b' with 0 <= a <= b <= {VShardCount - 1}.", nameof(range));
    }
}
