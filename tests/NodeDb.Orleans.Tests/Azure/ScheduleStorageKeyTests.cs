using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using NodeDb.Orleans.Grains.Hosting;
using NodeDb.Orleans.Grains.Sql.Execution;
using NodeDb.Orleans.Silo.Profiles;
using NodeDb.Orleans.Tests.Firing;
using NodeDb.Orleans.Tests.Security;
using Orleans.TestingHost;

namespace NodeDb.Orleans.Tests.Azure;

/// <summary>
/// Distinct schedule keys are distinct entities on Azure Tables: the table storage turns <c>/</c> into <c>_</c>, so
/// <c>acme/x_y</c> and <c>acme_x/y</c> would otherwise be one entity that either tenant could read, replace or drop.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ScheduleStorageKeyTests(AzuriteFixture azurite) : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("nodedb-keys-").FullName;

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
    public async Task Acme_slash_x_y_and_acme_x_slash_y_are_two_schedules_in_the_azure_profile()
    {
        var connection = await azurite.EnsureStartedAsync();
        var data = _data;
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ServiceId = "keys-" + Guid.NewGuid().ToString("N")[..12];
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
        var (tenantA, tenantB) = ("acme" + Guid.NewGuid().ToString("N")[..6], null as string);
        tenantB = tenantA + "_x";
        var first = cluster.Client.GetGrain<IScheduleGrain>(ScheduleKey.Of(tenantA, "x_y"));
        var second = cluster.Client.GetGrain<IScheduleGrain>(ScheduleKey.Of(tenantB, "y"));

        await first.CreateAsync(Definition(tenantA, "x_y", "BEGIN SELECT 'a'; END"));
        await second.CreateAsync(Definition(tenantB, "y", "BEGIN SELECT 'b'; END"));
        await cluster.GetSiloServiceProvider(cluster.Silos[0].SiloAddress).GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero, TestContext.Current.CancellationToken);
        var readFirst = await first.GetStatusAsync();
        var dropped = await second.DropAsync();
        var afterDrop = await first.GetStatusAsync();

        Assert.Equal("BEGIN SELECT 'a'; END", readFirst?.Definition.Body);
        Assert.True(dropped);
        Assert.Equal("BEGIN SELECT 'a'; END", afterDrop?.Definition.Body);
        Assert.Null(await second.GetStatusAsync());
    }

    private static ScheduleDefinition Definition(string tenant, string name, string body) => new()
    {
        Tenant = tenant,
        Name = name,
        Cron = "0 0 1 1 *",
        Body = body,
        Owner = "alice",
    };
}
