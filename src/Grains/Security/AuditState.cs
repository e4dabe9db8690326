namespace NodeDb.Orleans.Grains.Security;

/// <summary>The persisted audit entries of one tenant, oldest first.</summary>
[GenerateSerializer, Alias("nodedb.AuditState")]
public sealed class AuditState
{
    [Id(0)] public List<AuditEntry> Entries { get; set; } = [];
}
