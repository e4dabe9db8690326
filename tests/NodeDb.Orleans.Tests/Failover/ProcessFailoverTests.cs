using NodeDb.Orleans.Tests.Azure;
using NodeDb.Orleans.Tests.Firing;

namespace NodeDb.Orleans.Tests.Failover;

/// <summary>
/// Failover of real silo processes on the azure profile (Azurite): SIGKILL the silo running schedules while they are
/// due; a survivor fires them again, and every occurrence of the gap runs exactly once (MISSED = QUEUE).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ProcessFailoverTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    [Fact]
    public async Task Sigkill_of_a_silo_process_moves_its_schedules_to_a_survivor_within_20_seconds()
    {
        await using var cluster = await AzureProcessCluster.StartAsync(await azurite.EnsureStartedAsync(), silos: 3);
        await using var client = await ClusterClient.ConnectAsync(cluster);
        var tenant = "pf" + Guid.NewGuid().ToString("N")[..8];
        var names = FailoverSteps.Names(9);

        var hosts = await FailoverSteps.StartAsync(client.Client, tenant, names, MissedPolicy.Queue);
        var victim = hosts.Values.GroupBy(h => h).OrderByDescending(g => g.Count()).First().Key;
        var orphans = hosts.Where(h => h.Value == victim).Select(h => h.Key).ToList();
        var index = cluster.IndexOf(victim);
        Assert.True(index >= 0, $"no process listens at {victim}");

        var killedAt = DateTimeOffset.UtcNow;
        await cluster.KillAsync(index);
        var first = await FailoverSteps.FirstFireOnSurvivorAsync(client.Client, tenant, orphans, victim, killedAt, TimeSpan.FromSeconds(90));
        var settled = await Schedules.StopAndSettleAsync(client.Client, tenant, names);
        var seconds = (first - killedAt).TotalSeconds;
        output.WriteLine($"processes: SIGKILL of {victim} holding {orphans.Count} of {names.Count} schedules; first fire on a survivor {seconds:F1} s after the kill");
        await File.AppendAllTextAsync(Path.Combine(Path.GetTempPath(), "nodedb-failover-times.txt"),
            $"{DateTimeOffset.UtcNow:O} process failover {seconds:F1} s\n", TestContext.Current.CancellationToken);

        foreach (var name in names)
        {
            var accounting = OccurrenceAccounting.Check(name, await Schedules.HistoryAsync(client.Client, tenant, name),
                OccurrenceAccounting.ReadEffects(cluster.TenantDatabase(tenant), name), settled[name].LastFired!.Value);
            output.WriteLine(accounting.ToString());
            Assert.Empty(accounting.Problems);
            Assert.Equal(0, accounting.Missed);
            Assert.Equal(accounting.Occurrences, accounting.Ran);
        }

        Assert.True(seconds < 20, $"first fire on a survivor took {seconds:F1} s");
    }
}
