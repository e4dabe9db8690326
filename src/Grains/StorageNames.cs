namespace NodeDb.Orleans.Grains;

/// <summary>The names of the grain storage providers the grains use; each profile registers them.</summary>
public static class StorageNames
{
    /// <summary>Schedule definitions, markers, in-flight runs and tenant indexes.</summary>
    public const string Schedules = "nodedb";
}
