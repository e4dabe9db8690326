namespace NodeDb.Orleans;

/// <summary>One replication group's verdict (with its last report, if any), as <see cref="ISqlSessionGrain.GetHealthAsync"/> lists it.</summary>
[GenerateSerializer, Immutable, Alias("nodedb.GroupHealth")]
public sealed record GroupHealth(
    [property: Id(0)] string Group,
    [property: Id(1)] HealthVerdict Verdict);
