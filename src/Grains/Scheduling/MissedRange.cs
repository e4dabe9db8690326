namespace NodeDb.Orleans.Grains.Scheduling;

/// <summary>Missed occurrences beyond the per-row cap, recorded as one summary row.</summary>
public sealed record MissedRange(DateTimeOffset From, DateTimeOffset To, int Count);
