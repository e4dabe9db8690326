using Microsoft.Extensions.DependencyInjection;
using NodeDb.Orleans.Grains.Recovery;
using NodeDb.Orleans.Grains.Schedules;
using NodeDb.Orleans.Tests.Firing;

namespace NodeDb.Orleans.Tests.Azure;

/// <summary>
/// The azure profile keeps index buckets and wake shards in segments too (Azure Table entities, the <c>.</c> of a segment's
/// state name in their keys): hundreds of names in one bucket or shard go in and come back after a new activation.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class SegmentedNameSetAzureTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_bucket_and_a_wake_shard_of_hundreds_of_names_round_trip_through_azure_tables()
    {
        await using var azure = await AzureProfileTestCluster.StartAsync(azurite, "segments");
        var cluster = azure.Cluster;
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
