namespace NodeDb.Orleans.Grains.Schedules;

[GenerateSerializer, Alias("nodedb.TenantSchedulesState")]
public sealed class TenantSchedulesState
{
    [Id(0)] public HashSet<string> Names { get; set; } = new(StringComparer.Ordinal);
}
