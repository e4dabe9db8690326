using NodeDb.Orleans.Tests.Firing;

namespace NodeDb.Orleans.Tests.Azure;

/// <summary>
/// The bulk writer on the azure profile (Azure Tables through <c>KeyEscapingGrainStorage</c>): a name whose dropped
/// schedule left a tombstone is created through its grain (the writer's "no row" write conflicts, as Azure Tables reports
/// an existing entity), and every schedule is readable afterwards with the definition written.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class BulkCreateAzureTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_bulk_create_on_azure_tables_creates_new_names_and_names_of_dropped_schedules_alike()
    {
        await using var azure = await AzureProfileTestCluster.StartAsync(azurite, "bulk");
        var cluster = azure.Cluster;
        var tenant = "az" + Guid.NewGuid().ToString("N")[..6];
        var dropped = cluster.Client.GetGrain<IScheduleGrain>(ScheduleKey.Of(tenant, "again"));
        await dropped.CreateAsync(Definition(tenant, "again", "0 0 1 1 *"));
        Assert.True(await dropped.DropAsync());

        string[] names = ["again", "x_y", .. Enumerable.Range(0, 30).Select(i => $"n{i:D2}")];
        var results = await cluster.Client.GetGrain<ITenantSchedulesGrain>(tenant).CreateManyAsync([.. names.Select(n => Definition(tenant, n, "0 0 2 1 *"))]);

        Assert.All(results, r => Assert.True(r.Created, r.Error));
        Assert.Equal(names.Order(StringComparer.Ordinal), await cluster.Client.GetGrain<ITenantSchedulesGrain>(tenant).ListAsync());
        foreach (var name in names)
        {
            var status = await cluster.Client.GetGrain<IScheduleGrain>(ScheduleKey.Of(tenant, name)).GetStatusAsync();
            Assert.Equal("0 0 2 1 *", status?.Definition.Cron);
        }
    }

    private static ScheduleDefinition Definition(string tenant, string name, string cron) =>
        new() { Tenant = tenant, Name = name, Cron = cron, Body = "BEGIN SELECT 1; END", Owner = "alice" };
}
