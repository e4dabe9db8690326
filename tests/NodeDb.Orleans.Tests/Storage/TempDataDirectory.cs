using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NodeDb.Orleans.Grains.Storage;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;

namespace NodeDb.Orleans.Tests.Storage;

/// <summary>A fresh data directory per test, and factories for providers over it.</summary>
internal sealed class TempDataDirectory : IDisposable
{
    private static readonly Lazy<IGrainStorageSerializer> SharedSerializer = new(() =>
        new OrleansGrainStorageSerializer(new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>()));

    public string Path { get; } =
        System.IO.Path.Combine(System.IO.Path.GetTempPath(), "nodedb-storage-tests", Guid.NewGuid().ToString("N"));

    public TempDataDirectory() => Directory.CreateDirectory(Path);

    public string DatabaseFile => System.IO.Path.Combine(Path, SqliteStorageOptions.DatabaseFileName);

    public SqliteGrainStorage CreateGrainStorage(string name = "sqlite", SqliteCommitQueues? queues = null) => new(
        name,
        new SqliteStorageOptions { DataDirectory = Path, GrainStorageSerializer = SharedSerializer.Value },
        NullLogger<SqliteGrainStorage>.Instance,
        TimeProvider.System,
        queues);

    public SqliteReminderTable CreateReminderTable(string serviceId, SqliteCommitQueues? queues = null) => new(
        new SqliteStorageOptions { DataDirectory = Path },
        Options.Create(new ClusterOptions { ServiceId = serviceId, ClusterId = "test" }),
        queues);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A pooled connection may still hold the file; the OS temp cleaner removes leftovers.
        }
    }
}
