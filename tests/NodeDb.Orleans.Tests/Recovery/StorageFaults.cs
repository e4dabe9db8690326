namespace NodeDb.Orleans.Tests.Recovery;

/// <summary>Which writes a <see cref="FaultyGrainStorage"/> fails, and how many more times. Thread-safe.</summary>
public sealed class StorageFaults
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string State, string Key), int> _remaining = [];

    /// <summary>Fails the next <paramref name="times"/> writes of state <paramref name="stateName"/> of the grain keyed <paramref name="grainKey"/>.</summary>
    public void Fail(string stateName, string grainKey, int times = int.MaxValue)
    {
        lock (_lock)
        {
            _remaining[(stateName, grainKey)] = times;
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _remaining.Clear();
        }
    }

    /// <summary>How many writes were failed so far.</summary>
    public int Failed { get; private set; }

    private readonly List<(string State, string Key)> _writes = [];

    /// <summary>How many writes (failed or not) so far matched <paramref name="match"/> (state name, grain key).</summary>
    public int Writes(Func<string, string, bool> match)
    {
        lock (_lock)
        {
            return _writes.Count(w => match(w.State, w.Key));
        }
    }

    internal void ThrowIfFailing(string stateName, GrainId grainId)
    {
        lock (_lock)
        {
            var key = (stateName, grainId.Key.ToString()!);
            _writes.Add(key);
            if (!_remaining.TryGetValue(key, out var left) || left <= 0)
            {
                return;
            }

            _remaining[key] = left - 1;
            Failed++;
        }

        throw new IOException($"Injected write failure of '{stateName}' for {grainId}.");
    }
}
