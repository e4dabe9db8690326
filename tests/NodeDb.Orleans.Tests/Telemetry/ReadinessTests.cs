using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using NodeDb.Orleans.Grains;
using NodeDb.Orleans.Grains.Ticking;
using NodeDb.Orleans.Silo.Admin;
using NodeDb.Orleans.Tests.Azure;
using NodeDb.Orleans.Tests.Cluster;
using NodeDb.Orleans.Tests.Firing;

namespace NodeDb.Orleans.Tests.Telemetry;

/// <summary>
/// The silo's readiness checks (what <c>/health/ready</c> runs), on a real silo: ready when Active, storage answers and the
/// tick loop ticks; not ready when the tick loop stops or the storage server goes away.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ReadinessTests
{
    [Fact]
    public async Task Readiness_turns_false_when_the_tick_loop_stops()
    {
        await using var cluster = await SchedulerCluster.StartAsync(
            silos: 1,
            configure: o => o.AutoTick = true,
            storage: (silo, _) =>
            {
                silo.AddMemoryGrainStorage(StorageNames.Schedules);
                silo.UseInMemoryReminderService();
                silo.Services.AddNodeDbHealthChecks();
            });
        var services = cluster.SiloServices.Single();

        var before = await ReadyAsync(services);
        Assert.True(before.Status == HealthStatus.Healthy, Describe(before));

        await services.GetRequiredService<SchedulerTickService>().StopTickingAsync();
        cluster.Time.Advance(TimeSpan.FromSeconds(10));

        var after = await ReadyAsync(services);
        Assert.Equal(HealthStatus.Unhealthy, after.Status);
        Assert.Equal(HealthStatus.Unhealthy, after.Entries["tick-loop"].Status);
        Assert.Equal("the tick loop is not running", after.Entries["tick-loop"].Description);
        Assert.Equal(HealthStatus.Healthy, after.Entries["membership"].Status);
        Assert.Equal(HealthStatus.Healthy, after.Entries["storage"].Status);
    }

    [Fact]
    public async Task Readiness_turns_false_when_storage_is_unreachable()
    {
        var executable = AzuriteProcess.FindExecutable();
        Assert.True(executable is not null, "azurite-table not found: run scripts/azurite/install.sh (or set AZURITE_TABLE_BIN).");
        var azurite = await AzuriteProcess.StartAsync(executable);
        var stopped = false;
        try
        {
            var tables = new TableServiceClient(azurite.ConnectionString);
            await using var cluster = await SchedulerCluster.StartAsync(
                silos: 1,
                configure: o => o.AutoTick = true,
                storage: (silo, _) =>
                {
                    silo.AddAzureTableGrainStorage(StorageNames.Schedules, o => o.TableServiceClient = tables);
                    silo.UseInMemoryReminderService();
                    silo.Services.AddNodeDbHealthChecks();
                    silo.Services.Configure<AdminSettings>(o => o.StorageTimeout = TimeSpan.FromSeconds(2));
                });
            var services = cluster.SiloServices.Single();

            var before = await ReadyAsync(services);
            Assert.True(before.Status == HealthStatus.Healthy, Describe(before));

            await azurite.DisposeAsync();
            stopped = true;

            var after = await ReadyAsync(services);
            Assert.Equal(HealthStatus.Unhealthy, after.Status);
            Assert.Equal(HealthStatus.Unhealthy, after.Entries["storage"].Status);
            Assert.Contains("grain storage 'nodedb'", after.Entries["storage"].Description, StringComparison.Ordinal);
            Assert.Equal(HealthStatus.Healthy, after.Entries["tick-loop"].Status);
        }
        finally
        {
            if (!stopped)
            {
                await azurite.DisposeAsync();
            }
        }
    }

    private static Task<HealthReport> ReadyAsync(IServiceProvider services) =>
        services.GetRequiredService<HealthCheckService>().CheckHealthAsync(
            c => c.Tags.Contains(AdminHealthChecks.ReadyTag), TestContext.Current.CancellationToken);

    private static string Describe(HealthReport report) =>
        string.Join("; ", report.Entries.Select(e => $"{e.Key}: {e.Value.Status} {e.Value.Description}"));
}
