namespace NodeDb.Orleans.Grains.Ticking;

/// <summary>
/// The due instant of every schedule active on this silo: a map plus a min-heap, so a tick costs
/// O(due · log n) and an idle schedule costs nothing. Thread-safe.
/// </summary>
/// <remarks>Heap entries are never updated in place: a superseded entry is skipped when it surfaces.</remarks>
public sealed class DueIndex
{
    private readonly Dictionary<string, DateTimeOffset> _due = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _retries = new(StringComparer.Ordinal);
    private readonly PriorityQueue<string, DateTimeOffset> _heap = new();
    private readonly Lock _lock = new();

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _due.Count;
            }
        }
    }

    /// <summary>Sets (or, with null, removes) the due instant of a schedule.</summary>
    public void Set(string key, DateTimeOffset? due)
    {
        lock (_lock)
        {
            if (due is not { } at)
            {
                _due.Remove(key);
                return;
            }

            if (_due.TryGetValue(key, out var current) && current == at)
            {
                return;
            }

            _due[key] = at;
            _retries.Remove(key);
            _heap.Enqueue(key, at);
        }
    }

    /// <summary>
    /// Schedules another poke of a schedule whose poke failed. Kept apart from the schedule's own entry: the failed
    /// activation deactivating (which removes its entry) must not take its retry with it, or nothing would poke the
    /// schedule again before its reminder. A registration that comes later does not need it, and clears it.
    /// </summary>
    public void SetRetry(string key, DateTimeOffset due)
    {
        lock (_lock)
        {
            _retries[key] = due;
            _heap.Enqueue(key, due);
        }
    }

    public void Remove(string key) => Set(key, null);

    /// <summary>Every schedule with an entry here now (its own or a retry): what a stopping silo hands to the survivors.</summary>
    public List<string> Keys()
    {
        lock (_lock)
        {
            return [.. _due.Keys.Union(_retries.Keys, StringComparer.Ordinal)];
        }
    }

    /// <summary>The earliest instant anything may be due, or null when nothing is; may be earlier than any live entry (a superseded one).</summary>
    public DateTimeOffset? Earliest()
    {
        lock (_lock)
        {
            return _heap.TryPeek(out _, out var at) ? at : null;
        }
    }

    /// <summary>Removes and returns every schedule due at or before <paramref name="now"/>; each re-registers after its poke.</summary>
    public List<string> TakeDue(DateTimeOffset now)
    {
        var result = new List<string>();
        var retried = false;
        lock (_lock)
        {
            while (_heap.TryPeek(out var key, out var at) && at <= now)
            {
                _heap.Dequeue();
                if (_due.TryGetValue(key, out var current) && current == at)
                {
                    _due.Remove(key);
                    result.Add(key);
                }
                else if (_retries.TryGetValue(key, out var retry) && retry == at)
                {
                    _retries.Remove(key);
                    result.Add(key);
                    retried = true;
                }
            }

            // Superseded entries pile up only when dues move later; compact when they dominate.
            if (_heap.Count > 64 && _heap.Count > 4 * (_due.Count + _retries.Count))
            {
                _heap.Clear();
                foreach (var (key, at) in _due)
                {
                    _heap.Enqueue(key, at);
                }

                foreach (var (key, at) in _retries)
                {
                    _heap.Enqueue(key, at);
                }
            }
        }

        // One poke per key per tick, even when its entry and its retry fall due together.
        return retried ? [.. result.Distinct(StringComparer.Ordinal)] : result;
    }
}
