namespace NodeDb.Orleans;

/// <summary>Where a schedule's runs happen.</summary>
public enum ScheduleScope
{
    /// <summary>Once per occurrence in the whole cluster, gated on the replication group's health.</summary>
    Normal = 0,

    /// <summary>Once per silo per occurrence; no health gate; every run records its silo.</summary>
    Local = 1,
}
