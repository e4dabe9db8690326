using NodeDb.Orleans.Tests.Security;
using NodeDb.Orleans.Grains.Recovery;
using Microsoft.Extensions.DependencyInjection;
using NodeDb.Orleans.Grains;
using NodeDb.Orleans.Grains.Hosting;
using NodeDb.Orleans.Grains.Sql.Execution;
using NodeDb.Orleans.Silo.Profiles;
using NodeDb.Orleans.Tests.Azure;
using NodeDb.Orleans.Tests.Cluster;
using NodeDb.Orleans.Tests.Firing;
using Orleans.TestingHost;

namespace NodeDb.Orleans.Tests.Failover;

/// <summary>
/// Failover inside an in-process cluster on real storage (Azurite) and real time: the silo that runs schedules is
/// killed; they fire again on a survivor, fast, and every occurrence of the gap runs exactly once (MISSED = QUEUE).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class TestClusterFailoverTests(AzuriteFixture azurite, ITestOutputHelper output) : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("nodedb-failover-").FullName;

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
    public async Task Killing_the_silo_that_runs_schedules_moves_them_to_a_survivor_and_runs_each_gap_occurrence_once()
    {
        var connection = await azurite.EnsureStartedAsync();
        var data = _data;
        var builder = new InProcessTestClusterBuilder(3);
        builder.Options.ServiceId = "failover-" + Guid.NewGuid().ToString("N")[..12];
        builder.ConfigureSilo((_, silo) =>
        {
            var tables = new global::Azure.Data.Tables.TableServiceClient(connection);
            AzureProfile.AddScheduleStorage(silo, tables);
            silo.UseAzureTableReminderService(o => o.TableServiceClient = tables);
            silo.AddAzureTableHistoryStore(tables);
            silo.Services.AddNodeDbSql(o => o.DataDirectory = data);
            AzureProfile.ConfigureMembership(silo.Services);
            silo.AddNodeDbScheduler();
            silo.AddTestSecurity();
        });
        builder.ConfigureClient(c => c.PresentKey());
        await using var cluster = builder.Build();
        await cluster.DeployAsync(TestContext.Current.CancellationToken);
        var tenant = "tc" + Guid.NewGuid().ToString("N")[..8];
        var names = FailoverSteps.Names(9);

        var hosts = await FailoverSteps.StartAsync(cluster.Client, tenant, names, MissedPolicy.Queue);
        var victim = cluster.Silos.OrderByDescending(s => hosts.Values.Count(h => h == s.SiloAddress.ToParsableString())).First();
        var victimName = victim.SiloAddress.ToParsableString();
        var orphans = hosts.Where(h => h.Value == victimName).Select(h => h.Key).ToList();
        Assert.NotEmpty(orphans);
        var wakes = new List<WakeReport>();
        foreach (var silo in cluster.Silos.Where(s => s != victim))
        {
            cluster.GetSiloServiceProvider(silo.SiloAddress).GetRequiredService<FailoverWatcher>().WakeCompleted += r =>
            {
                lock (wakes)
                {
                    wakes.Add(r);
                }
            };
        }

        var killedAt = DateTimeOffset.UtcNow;
        await cluster.KillSiloAsync(victim, TestContext.Current.CancellationToken);
        var first = await FailoverSteps.FirstFireOnSurvivorAsync(cluster.Client, tenant, orphans, victimName, killedAt, TimeSpan.FromSeconds(60));
        var settled = await Schedules.StopAndSettleAsync(cluster.Client, tenant, names);
        output.WriteLine($"TestCluster: killed {victimName} holding {orphans.Count} of {names.Count} schedules; first fire on a survivor {(first - killedAt).TotalSeconds:F1} s after the kill");

        var tenantDb = Path.Combine(_data, "tenants", tenant + ".db");
        foreach (var name in names)
        {
            var accounting = OccurrenceAccounting.Check(
                name, await Schedules.HistoryAsync(cluster.Client, tenant, name), OccurrenceAccounting.ReadEffects(tenantDb, name), settled[name].LastFired!.Value);
            output.WriteLine(accounting.ToString());
            Assert.Empty(accounting.Problems);
            Assert.Equal(0, accounting.Missed);
            Assert.Equal(accounting.Occurrences, accounting.Ran);
        }

        // The wake registry did it (the survivors split the dead silo's shards between them, each shard once), well
        // inside DESIGN §9's 20 s, and poked the schedules the dead silo held, not the ones alive on the survivors.
        // Every survivor reports its wake for the death once it has poked what it claimed (possibly nothing).
        var survivors = cluster.Silos.Count(s => s != victim);
        await Until.TrueAsync(() =>
        {
            lock (wakes)
            {
                return Task.FromResult(wakes.Count(w => w.Cause == victimName) >= survivors);
            }
        });
        lock (wakes)
        {
            var forVictim = wakes.Where(w => w.Cause == victimName).ToList();
            Assert.True(forVictim.Sum(w => w.Poked) == orphans.Count, $"{orphans.Count} held by the victim; " + string.Join("; ", forVictim));
        }

        Assert.True(first - killedAt < TimeSpan.FromSeconds(20), $"first fire on a survivor took {(first - killedAt).TotalSeconds:F1} s");
    }
}
