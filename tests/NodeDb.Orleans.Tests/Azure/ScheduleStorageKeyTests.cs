using Microsoft.Extensions.DependencyInjection;
using NodeDb.Orleans.Tests.Firing;

namespace NodeDb.Orleans.Tests.Azure;

/// <summary>
/// Distinct schedule keys are distinct entities on Azure Tables: the table storage turns <c>/</c> into <c>_</c>, so
/// <c>acme/x_y</c> and <c>acme_x/y</c> would otherwise be one entity that either tenant could read, replace or drop.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ScheduleStorageKeyTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Acme_slash_x_y_and_acme_x_slash_y_are_two_schedules_in_the_azure_profile()
    {
        await using var azure = await AzureProfileTestCluster.StartAsync(azurite, "keys");
        var cluster = azure.Cluster;
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
