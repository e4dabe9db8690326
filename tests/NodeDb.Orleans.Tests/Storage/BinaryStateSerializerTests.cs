using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using NodeDb.Orleans.Grains;
using NodeDb.Orleans.Grains.Schedules;
using NodeDb.Orleans.Grains.Storage;
using NodeDb.Orleans.Tests.Cluster;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Storage;

namespace NodeDb.Orleans.Tests.Storage;

/// <summary>
/// The SQLite grain storage writes Orleans' binary format (issue 13: JSON was the largest single cost of a state write)
/// and still reads the JSON rows that earlier versions wrote.
/// </summary>
public sealed class BinaryStateSerializerTests : IDisposable
{
    private readonly TempDataDirectory _dir = new();
    private readonly ServiceProvider _services = new ServiceCollection()
        .AddSerializer()
        .AddSingleton<OrleansJsonSerializer>()
        .AddSingleton<JsonGrainStorageSerializer>()
        .BuildServiceProvider();

    public void Dispose()
    {
        _services.Dispose();
        _dir.Dispose();
    }

    private IGrainStorageSerializer Json => _services.GetRequiredService<JsonGrainStorageSerializer>();

    private SqliteGrainStorage Storage(IGrainStorageSerializer serializer) => new(
        "sqlite",
        new SqliteStorageOptions { DataDirectory = _dir.Path, GrainStorageSerializer = serializer },
        NullLogger<SqliteGrainStorage>.Instance,
        TimeProvider.System);

    [Fact]
    public async Task A_row_written_as_json_by_an_earlier_version_reads_back_and_turns_binary_at_its_next_write()
    {
        var id = GrainId.Create("bucket", "t#1");
        var old = new TenantSchedulesState { Names = new HashSet<string>(["b", "a", "C"], StringComparer.Ordinal) };
        using (var earlier = Storage(Json))
        {
            await earlier.WriteStateAsync("tenant-schedules", id, new GrainState<TenantSchedulesState>(old));
        }

        Assert.Equal((byte)'{', FirstByte());

        using var storage = Storage(new BinaryStateSerializer(_services.GetRequiredService<Serializer>(), Json));
        var read = new GrainState<TenantSchedulesState>(new TenantSchedulesState());
        await storage.ReadStateAsync("tenant-schedules", id, read);
        Assert.Equal(["C", "a", "b"], read.State!.Names.Order(StringComparer.Ordinal));
        Assert.DoesNotContain("c", read.State.Names); // still ordinal: the comparer came back too

        read.State.Names.Add("d");
        await storage.WriteStateAsync("tenant-schedules", id, read);
        Assert.Equal(BinaryStateSerializer.FormatByte, FirstByte());

        var again = new GrainState<TenantSchedulesState>(new TenantSchedulesState());
        await storage.ReadStateAsync("tenant-schedules", id, again);
        Assert.Equal(["C", "a", "b", "d"], again.State!.Names.Order(StringComparer.Ordinal));
        Assert.Equal(read.ETag, again.ETag);
    }

    [Fact]
    public async Task A_silo_writes_grain_state_in_the_binary_format_and_reads_it_back()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 1, storage: SchedulerCluster.SqliteStorage);
        var file = Path.Combine(cluster.DataDirectory, SqliteStorageOptions.DatabaseFileName);

        await cluster.CreateAsync("bin", "yearly", "0 0 1 1 *");

        Assert.Equal(BinaryStateSerializer.FormatByte, FirstByte(file, "schedule"));
        Assert.Equal(BinaryStateSerializer.FormatByte, FirstByte(file, "tenant-schedules"));
        Assert.Equal(BinaryStateSerializer.FormatByte, FirstByte(file, "wake"));

        // Read back through the silo's own provider, as the schedule's next activation would.
        var storage = cluster.SiloServices.First().GetRequiredKeyedService<IGrainStorage>(StorageNames.Schedules);
        var read = new GrainState<ScheduleState>(new ScheduleState());
        await storage.ReadStateAsync("schedule", cluster.Schedule("bin", "yearly").GetGrainId(), read);
        Assert.Equal("0 0 1 1 *", read.State!.Definition!.Cron);
        Assert.Equal(SchedulerCluster.Epoch.AddSeconds(-30), read.State.LastFired);
        Assert.Equal(1, read.State.Generation);
    }

    private byte FirstByte() => FirstByte(_dir.DatabaseFile, "tenant-schedules");

    private static byte FirstByte(string file, string stateName)
    {
        using var connection = new SqliteConnection($"Data Source={file};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT data FROM grain_state WHERE state_name = $state LIMIT 1;";
        command.Parameters.AddWithValue("$state", stateName);
        return ((byte[])command.ExecuteScalar()!)[0];
    }
}
