using Azure.Data.Tables;
using NodeDb.Orleans.Grains.Hosting;
using NodeDb.Orleans.Grains.Sql.Execution;
using NodeDb.Orleans.Silo.Profiles;
using NodeDb.Orleans.Tests.Security;
using Orleans.TestingHost;

namespace NodeDb.Orleans.Tests.Azure;

/// <summary>
/// A one-silo in-process cluster wired like the azure profile's storage: schedule state, reminders and history in
/// Azure Tables (Azurite), tenant databases as SQLite files in a temporary directory the test owns and deletes.
/// </summary>
internal sealed class AzureProfileTestCluster : IAsyncDisposable
{
    private readonly string _data;

    private AzureProfileTestCluster(InProcessTestCluster cluster, string data)
    {
        Cluster = cluster;
        _data = data;
    }

    public InProcessTestCluster Cluster { get; }

    /// <param name="servicePrefix">Starts the cluster's ServiceId, so each test's tables rows stay apart.</param>
    public static async Task<AzureProfileTestCluster> StartAsync(AzuriteFixture azurite, string servicePrefix)
    {
        var connection = await azurite.EnsureStartedAsync();
        var data = Directory.CreateTempSubdirectory($"nodedb-{servicePrefix}-").FullName;
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ServiceId = servicePrefix + "-" + Guid.NewGuid().ToString("N")[..12];
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
        var cluster = builder.Build();
        await cluster.DeployAsync(TestContext.Current.CancellationToken);
        return new AzureProfileTestCluster(cluster, data);
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
            // Leftover temp files are harmless.
        }
    }
}
