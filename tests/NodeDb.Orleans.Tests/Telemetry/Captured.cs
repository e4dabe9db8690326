using System.Collections;

namespace NodeDb.Orleans.Tests.Telemetry;

/// <summary>
/// What an in-memory exporter collects, safe to read while it still collects. Tracing listeners are process-wide: the
/// spans of other tests running at the same time (an Npgsql command, a grain call) are exported into this collection
/// from their threads while a test enumerates it, and a plain <see cref="List{T}"/> then throws "collection was
/// modified". Enumerating this one reads a snapshot.
/// </summary>
public sealed class Captured<T> : ICollection<T>, IReadOnlyCollection<T>
{
    private readonly List<T> _items = [];

    public int Count { get { lock (_items) return _items.Count; } }

    public bool IsReadOnly => false;

    public void Add(T item) { lock (_items) _items.Add(item); }

    public void Clear() { lock (_items) _items.Clear(); }

    public bool Contains(T item) { lock (_items) return _items.Contains(item); }

    public void CopyTo(T[] array, int arrayIndex) { lock (_items) _items.CopyTo(array, arrayIndex); }

    public bool Remove(T item) { lock (_items) return _items.Remove(item); }

    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)Snapshot()).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private T[] Snapshot() { lock (_items) return [.. _items]; }
}
