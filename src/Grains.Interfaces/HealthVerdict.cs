namespace NodeDb.Orleans;

/// <summary>Whether schedules on a replication group may fire now, and why not.</summary>
[GenerateSerializer, Immutable, Alias("nodedb.HealthVerdict")]
public sealed record HealthVerdict(
    [property: Id(0)] bool MayFire,
    [property: Id(1)] string Reason,
    [property: Id(2)] RaftStatusReport? Report)
{
    public static HealthVerdict Healthy(RaftStatusReport? report, string reason) => new(true, reason, report);
}
