using Microsoft.Extensions.DependencyInjection;
using NodeDb.Orleans.Grains;
using NodeDb.Orleans.Grains.Schedules;
using NodeDb.Orleans.Tests.Azure;
using NodeDb.Orleans.Tests.Cluster;
using Orleans.Storage;

namespace NodeDb.Orleans.Tests.Firing;

/// <summary>
/// The claim's ETag conflict on every grain storage a profile uses: Orleans' memory storage (tests), the embedded
/// profile's SQLite grain storage and the azure profile's Table storage (on Azurite).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClaimConflictTests(AzuriteFixture azurite)
{
    [Theory]
    [InlineData("memory")]
    [InlineData("sqlite")]
    [InlineData("azure")]
    public async Task An_activation_whose_claim_hits_an_etag_conflict_does_not_fire(string provider)
    {
        var connection = provider == "azure" ? await azurite.EnsureStartedAsync() : null;
        await using var cluster = await SchedulerCluster.StartAsync(silos: 1, storage: provider switch
        {
            "sqlite" => SchedulerCluster.SqliteStorage,
            "azure" => (silo, _) =>
            {
                var table = "claims" + Guid.NewGuid().ToString("N")[..12];
                silo.AddAzureTableGrainStorage(StorageNames.Schedules, o =>
                {
                    o.TableServiceClient = new global::Azure.Data.Tables.TableServiceClient(connection);
                    o.TableName = table;
                });
                silo.UseInMemoryReminderService();
            },
            _ => null,
        });
        var grain = cluster.Schedule("t1", "contested");
        await cluster.CreateAsync("t1", "contested", "* * * * *");
        await cluster.AdvanceAsync(TimeSpan.Zero); // 12:00 fires normally

        // A rival activation claims 12:01 behind this activation's back: it writes the marker with its own ETag.
        var storage = cluster.SiloServices.Single().GetRequiredKeyedService<IGrainStorage>(StorageNames.Schedules);
        var stored = new GrainState<ScheduleState>();
        var grainId = grain.GetGrainId();
        await storage.ReadStateAsync("schedule", grainId, stored);
        var rivalOccurrence = new DateTimeOffset(2026, 1, 5, 12, 1, 0, TimeSpan.Zero);
        stored.State!.LastFired = rivalOccurrence;
        await storage.WriteStateAsync("schedule", grainId, stored);

        // This activation still believes 12:00 was the last; its claim of 12:01 conflicts, so it must not run it.
        await cluster.AdvanceAsync(TimeSpan.FromMinutes(1));
        Assert.DoesNotContain(cluster.Scripted.RequestsOf("t1", "contested"), r => r.ScheduledAt == rivalOccurrence);

        // The next call reloads what storage holds; the schedule goes on from the rival's marker, firing 12:02 once.
        await cluster.AdvanceAsync(TimeSpan.FromMinutes(1));
        var fired = cluster.Scripted.RequestsOf("t1", "contested").Select(r => r.ScheduledAt!.Value.Minute).ToList();
        Assert.Equal([0, 2], fired);
        Assert.Equal(rivalOccurrence.AddMinutes(1), (await grain.GetStatusAsync())!.LastFired);
    }
}
