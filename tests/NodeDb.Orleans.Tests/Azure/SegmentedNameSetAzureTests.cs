using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using NodeDb.Orleans.Grains.Hosting;
using NodeDb.Orleans.Grains.Recovery;
using NodeDb.Orleans.Grains.Schedules;
using NodeDb.Orleans.Grains.Sql.Execution;
using NodeDb.Orleans.Silo.Profiles;
using NodeDb.Orleans.Tests.Firing;
using NodeDb.Orleans.Tests.Security;
using Orleans.TestingHost;

namespace NodeDb.Orleans.Tests.Azure;

/// <summary>
/// The azure profile keeps index buckets and wake shards in segments too (Azure Table entities, the <c>.</c> of a segment's
/// state name in their keys): hundreds of names in one bucket or shard go in and come back after a new activation.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class SegmentedNameSetAzureTests(AzuriteFixture azurite) : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("nodedb-segments-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
            // Leftover temp files are harmless.
        }
    }

    [Fact]
    public async Task A_bucket_and_a_wake_shard_of_hundreds_of_names_round_trip_through_azure_tables()
    {
        var connection = await azurite.EnsureStartedAsync();
        var data = _data;
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ServiceId = "segments-" + Guid.NewGuid().ToString("N")[..12];
        builder.ConfigureSilo((_, silo) =>
        {
            var tables = new TableServiceClient(connection);
            AzureProfile.AddScheduleStorage(silo, tables);
            silo.UseAzureTableReminderService(o => o.TableServiceClient = tables);
            silo.AddAzureTableHistoryStore(tables);
            silo.Services.AddNodeDbSql(o => o.DataDirectory = data);
            silo.AddNodeDbScheduler();
            silo.AddTestSecurity();
        });
        builder.ConfigureClient(c => c.PresentKey());
        await using var cluster = builder.Build();
        await cluster.DeployAsync(TestContext.Current.CancellationToken);
        var grains = cluster.GetSiloServiceProvider(cluster.Silos[0].SiloAddress).GetRequiredService<IGrainFactory>();
        var names = Enumerable.Range(0, 300).Select(i => $"name-{i:D3}-{new string('x', 40)}").ToArray();
        var bucket = grains.GetGrain<ITenantScheduleBucketGrain>("azure#7");
        var shard = grains.GetGrain<IScheduleWakeShardGrain>("98");

        await Task.WhenAll(names.Select(bucket.AddAsync));
        await Task.WhenAll(names.Select(n => shard.RegisterAsync(n, "silo-a")));
        await bucket.RemoveAsync(names[0]);
        await grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero, TestContext.Current.CancellationToken);

        Assert.Equal(names.Skip(1), (await bucket.ListAsync()).Order(StringComparer.Ordinal));
        Assert.Equal(names, await shard.ClaimWakeAsync("silo-a", "silo-b"));
    }
}
