using System.Collections.Concurrent;

namespace NodeDb.Orleans.Benchmarks.Measuring;

/// <summary>
/// Every job start both systems report: which schedule, the instant it was scheduled for, and when the job started.
/// Thread-safe; the no-op jobs of both systems write here.
/// </summary>
public sealed class LatenessRecorder
{
    private readonly ConcurrentQueue<JobStart> _starts = new();

    public int Count => _starts.Count;

    public void Record(string schedule, DateTimeOffset scheduledAt, DateTimeOffset startedAt) =>
        _starts.Enqueue(new JobStart(schedule, scheduledAt, startedAt));

    public IReadOnlyList<JobStart> Snapshot() => [.. _starts];

    public void Clear() => _starts.Clear();
}

/// <summary>One job start.</summary>
public sealed record JobStart(string Schedule, DateTimeOffset ScheduledAt, DateTimeOffset StartedAt)
{
    public double LatenessMs => (StartedAt - ScheduledAt).TotalMilliseconds;
}
