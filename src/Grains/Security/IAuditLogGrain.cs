namespace NodeDb.Orleans.Grains.Security;

/// <summary>The silo's side of <see cref="IAuditGrain"/>: appends. Internal: refused to clients.</summary>
[Alias("nodedb.IAuditLogGrain")]
public interface IAuditLogGrain : IGrainWithStringKey
{
    /// <summary>Adds an entry; one-way and interleaving, so recording a refusal never waits on, or deadlocks with, the call it refuses.</summary>
    [Alias("Append"), global::Orleans.Concurrency.OneWay, global::Orleans.Concurrency.AlwaysInterleave]
    Task AppendAsync(AuditEntry entry);
}
