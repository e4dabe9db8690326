namespace NodeDb.Orleans.Benchmarks.Measuring;

/// <summary>Counts storage operations (grain state, reminders, history) made by one silo, by kind.</summary>
public sealed class StorageCounter
{
    private long _grainReads;
    private long _grainWrites;
    private long _reminderOps;
    private long _historyOps;
    private readonly System.Collections.Concurrent.ConcurrentQueue<double> _writeMs = new();
    private readonly System.Collections.Concurrent.ConcurrentQueue<double> _historyMs = new();

    /// <summary>How long each grain-state write took, in ms (the claim before every run is one).</summary>
    public Percentiles WriteDurations => new(_writeMs);

    /// <summary>How long each history append took, in ms.</summary>
    public Percentiles HistoryDurations => new(_historyMs);

    public void WriteTook(TimeSpan elapsed) => _writeMs.Enqueue(elapsed.TotalMilliseconds);

    public void HistoryTook(TimeSpan elapsed) => _historyMs.Enqueue(elapsed.TotalMilliseconds);

    public long GrainReads => Interlocked.Read(ref _grainReads);

    public long GrainWrites => Interlocked.Read(ref _grainWrites);

    public long ReminderOps => Interlocked.Read(ref _reminderOps);

    public long HistoryOps => Interlocked.Read(ref _historyOps);

    public long Total => GrainReads + GrainWrites + ReminderOps + HistoryOps;

    public void GrainRead() => Interlocked.Increment(ref _grainReads);

    public void GrainWrite() => Interlocked.Increment(ref _grainWrites);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _writesByState = new(StringComparer.Ordinal);

    /// <summary>Counts a state write of <paramref name="stateName"/> (the schedule, index bucket, wake shard…).</summary>
    /// <remarks>The segments of a name set (<c>wake.0</c>, <c>wake.1</c>, …) count as <c>wake segment</c>, apart from the
    /// owner's own row (<c>wake</c>: claims and the segment count).</remarks>
    public void GrainWrite(string stateName)
    {
        GrainWrite();
        var dot = stateName.LastIndexOf('.');
        var kind = dot > 0 && stateName.AsSpan(dot + 1).IndexOfAnyExceptInRange('0', '9') < 0 && dot < stateName.Length - 1
            ? stateName[..dot] + " segment"
            : stateName;
        _writesByState.AddOrUpdate(kind, 1, (_, n) => n + 1);
    }

    /// <summary>State writes so far by state name, e.g. "schedule 10000, wake 312".</summary>
    public IReadOnlyDictionary<string, long> WritesByState => new Dictionary<string, long>(_writesByState, StringComparer.Ordinal);

    public void Reminder() => Interlocked.Increment(ref _reminderOps);

    public void History() => Interlocked.Increment(ref _historyOps);

    public StorageSnapshot Snapshot() => new(GrainReads, GrainWrites, ReminderOps, HistoryOps);
}

/// <summary>Storage operations counted up to one instant; subtract two to get a window's traffic.</summary>
public sealed record StorageSnapshot(long GrainReads, long GrainWrites, long ReminderOps, long HistoryOps)
{
    public long Total => GrainReads + GrainWrites + ReminderOps + HistoryOps;

    public static StorageSnapshot operator -(StorageSnapshot a, StorageSnapshot b) =>
        new(a.GrainReads - b.GrainReads, a.GrainWrites - b.GrainWrites, a.ReminderOps - b.ReminderOps, a.HistoryOps - b.HistoryOps);

    public override string ToString() =>
        $"{Total} (state reads {GrainReads}, state writes {GrainWrites}, reminder {ReminderOps}, history {HistoryOps})";
}
