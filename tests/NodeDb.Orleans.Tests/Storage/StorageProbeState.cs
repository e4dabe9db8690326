namespace NodeDb.Orleans.Tests.Storage;

[GenerateSerializer, Alias("nodedb.tests.StorageProbeState")]
public sealed class StorageProbeState
{
    [Id(0)] public int Value { get; set; }

    [Id(1)] public string? Note { get; set; }

    [Id(2)] public int ReminderTicks { get; set; }
}
