using NodeDb.Orleans.Grains.Schedules;

namespace NodeDb.Orleans.Grains.Running;

/// <summary>A dispatcher's answer about one dispatch: its phase, and its outcome once it has one.</summary>
[GenerateSerializer, Immutable, Alias("nodedb.DispatchReport")]
public sealed record DispatchReport(
    [property: Id(0)] RunPhase Phase,
    [property: Id(1)] RunCompletion? Completion);
