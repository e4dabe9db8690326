using System.Globalization;
using Orleans.Storage;

namespace NodeDb.Orleans.Grains.Storage;

/// <summary>
/// A grain's persisted set of names (each with a string value), stored as segments of at most <see cref="SegmentCapacity"/>
/// names, each segment its own grain-storage row: adding a name rewrites one small segment, whatever the size of the set.
/// </summary>
/// <remarks>
/// <para>Why: an index bucket or wake shard kept as one state re-serialized and rewrote every name it held on each add, so
/// a bulk import cost O(n²) bytes (issue 13: 89 % of the state-serialization CPU of a create at 10,000 schedules, and ten
/// times that per add at 100,000). It also had no bound in size, which Azure Table (1 MB an entity) would have refused.</para>
/// <para>Segments are rows of the owner's ordinary grain storage (any <see cref="IGrainStorage"/>: SQLite, Azure Table,
/// memory), named <c>{stateName}.{i}</c>; the owner keeps how many there are in its own state (<c>ensureSegments</c>),
/// written before a new segment's first write, so a load reads exactly the segments that can exist.</para>
/// <para>Each name lives in one segment; within an activation a name keeps the segment it was first given, so every
/// change of a name goes through that segment's <see cref="GrainWriteBatch"/> in order, and changes that arrive together
/// share a write. A write that fails undoes its segment's changes (exactly: no other change touches that segment); a
/// storage conflict deactivates the owner (<c>onConflict</c>), whose next activation reads storage afresh. A new name
/// goes to the lowest segment with room, so names removed in an earlier activation leave no lasting holes.</para>
/// <para>Single-threaded by the owner's scheduler: no locks.</para>
/// </remarks>
internal sealed class SegmentedNameSet
{
    /// <summary>
    /// Names per segment. A write serializes at most this many names (about half on average while a bulk import fills
    /// segments); a load reads one row per this many names.
    /// </summary>
    internal const int SegmentCapacity = 32;

    private readonly IGrainStorage _storage;
    private readonly GrainId _grainId;
    private readonly string _stateName;
    private readonly Func<int, Task> _ensureSegments;
    private readonly Action _onConflict;
    private readonly List<Segment> _segments = [];
    private readonly Dictionary<string, int> _segmentOf = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _entries = new(StringComparer.Ordinal);
    private int _open;

    /// <param name="storage">The owner's grain storage.</param>
    /// <param name="grainId">The owner.</param>
    /// <param name="stateName">The owner's state name; segment <c>i</c> is the state <c>{stateName}.{i}</c>.</param>
    /// <param name="ensureSegments">Makes the owner's persisted segment count at least the argument; completes once written.</param>
    /// <param name="onConflict">Called when a segment write met another writer (deactivate the owner).</param>
    public SegmentedNameSet(IGrainStorage storage, GrainId grainId, string stateName, Func<int, Task> ensureSegments, Action onConflict)
    {
        _storage = storage;
        _grainId = grainId;
        _stateName = stateName;
        _ensureSegments = ensureSegments;
        _onConflict = onConflict;
    }

    /// <summary>The names and their values, including changes being written.</summary>
    public IReadOnlyDictionary<string, string> Entries => _entries;

    /// <summary>The state name of segment <paramref name="index"/>.</summary>
    public static string SegmentName(string stateName, int index) => $"{stateName}.{index.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Reads the owner's <paramref name="count"/> segments, and any written after them. Once, before any change.</summary>
    /// <remarks>
    /// The segments past the count are read one by one until one is missing: the count is written before a new segment,
    /// so there are none unless the owner's row was written without it (by a version before segments, during a mixed
    /// upgrade); their next write records the count again.
    /// </remarks>
    public async Task LoadAsync(int count)
    {
        var states = new List<GrainState<NameSegmentState>>(new GrainState<NameSegmentState>[count]);
        for (var first = 0; first < count; first += 64)
        {
            // Grouped reads answer a wave of them together; waves bound what is in flight for a very large set.
            await Task.WhenAll(Enumerable.Range(first, Math.Min(64, count - first)).Select(async i => states[i] = await ReadSegmentAsync(i)));
        }

        while (await ReadSegmentAsync(states.Count) is { RecordExists: true } extra)
        {
            states.Add(extra);
        }

        foreach (var state in states)
        {
            var index = _segments.Count;
            _segments.Add(NewSegment(index, state));
            foreach (var (name, value) in state.State!.Entries)
            {
                // A name is in one segment; should storage ever hold it twice, the first copy is the one changed from now on.
                if (_segmentOf.TryAdd(name, index))
                {
                    _entries[name] = value;
                    _segments[index].Assigned++;
                }
            }
        }
    }

    private async Task<GrainState<NameSegmentState>> ReadSegmentAsync(int index)
    {
        var state = new GrainState<NameSegmentState>(new NameSegmentState());
        await _storage.ReadStateAsync(SegmentName(_stateName, index), _grainId, state);
        state.State ??= new NameSegmentState();
        return state;
    }

    /// <summary>Adds <paramref name="name"/> with <paramref name="value"/>, or changes its value. Writes only on a change.</summary>
    public Task SetAsync(string name, string value) => ChangeAsync(name, _ => value);

    /// <summary>Adds <paramref name="name"/> with an empty value unless it is there (keeping its value). Writes only on a change.</summary>
    public Task AddAsync(string name) => ChangeAsync(name, current => current ?? string.Empty);

    /// <summary>Removes <paramref name="name"/>. Writes only on a change.</summary>
    public Task RemoveAsync(string name) =>
        _segmentOf.ContainsKey(name) ? ChangeAsync(name, _ => null) : Task.CompletedTask;

    private Task ChangeAsync(string name, Func<string?, string?> next)
    {
        var segment = _segments[SegmentFor(name)];
        return segment.Writes.RunAsync(() =>
        {
            var entries = segment.State.State!.Entries;
            var had = entries.TryGetValue(name, out var before);
            var after = next(had ? before : null);
            if (after == (had ? before : null))
            {
                return null;
            }

            Put(entries, name, after);
            return () => Put(entries, name, had ? before : null);
        });
    }

    private void Put(Dictionary<string, string> segmentEntries, string name, string? value)
    {
        if (value is null)
        {
            segmentEntries.Remove(name);
            _entries.Remove(name);
        }
        else
        {
            segmentEntries[name] = value;
            _entries[name] = value;
        }
    }

    /// <summary>The segment of <paramref name="name"/>: the one it already has in this activation, else the lowest with room.</summary>
    private int SegmentFor(string name)
    {
        if (_segmentOf.TryGetValue(name, out var index))
        {
            return index;
        }

        while (_open < _segments.Count && _segments[_open].Assigned >= SegmentCapacity)
        {
            _open++;
        }

        if (_open == _segments.Count)
        {
            _segments.Add(NewSegment(_open, new GrainState<NameSegmentState>(new NameSegmentState())));
        }

        _segments[_open].Assigned++;
        _segmentOf[name] = _open;
        return _open;
    }

    private Segment NewSegment(int index, GrainState<NameSegmentState> state)
    {
        var name = SegmentName(_stateName, index);
        return new Segment(state, new GrainWriteBatch(
            async () =>
            {
                // The count first: a load must never miss a segment that holds names.
                await _ensureSegments(index + 1);
                await _storage.WriteStateAsync(name, _grainId, state);
            },
            _onConflict));
    }

    private sealed class Segment(GrainState<NameSegmentState> state, GrainWriteBatch writes)
    {
        public GrainState<NameSegmentState> State { get; } = state;

        public GrainWriteBatch Writes { get; } = writes;

        /// <summary>Names given this segment in this activation (present, being written, or removed since).</summary>
        public int Assigned { get; set; }
    }
}
