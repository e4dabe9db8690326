using NodeDb.Orleans.Tests.Azure;
using NodeDb.Orleans.Tests.Firing;
using NodeDb.Orleans.Tests.Processes;

namespace NodeDb.Orleans.Tests.Failover;

/// <summary>
/// A rolling deploy of real silo processes on the azure profile (Azurite): each silo in turn is stopped with SIGTERM
/// and started again while every-second schedules (MISSED = SKIP, the default) run real SQL bodies. A graceful stop
/// hands its schedules over, so history shows nothing of the deploy: every occurrence one Succeeded row with one
/// effect, none Missed, Interrupted or Rejected. (How late the starts were is measured by S6 in the benchmark.)
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class RollingRestartTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    [Fact]
    public async Task A_rolling_restart_with_sigterm_loses_skips_and_doubles_nothing()
    {
        // NODEDB_RR_ARGS: more silo arguments for a diagnosis, separated by " | ", e.g.
        // "--Logging:LogLevel:NodeDb | Debug | --Logging:Console:FormatterOptions:TimestampFormat | HH:mm:ss.fff ".
        await using var cluster = await AzureProcessCluster.StartAsync(await azurite.EnsureStartedAsync(), silos: 3, Environment.GetEnvironmentVariable("NODEDB_RR_ARGS")?.Split(" | "));
        await using var client = await ClusterClient.ConnectAsync(cluster);
        output.WriteLine($"extra silo arguments: {Environment.GetEnvironmentVariable("NODEDB_RR_ARGS")}");
        var tenant = "rr" + Guid.NewGuid().ToString("N")[..8];
        var names = FailoverSteps.Names(9);
        await FailoverSteps.StartAsync(client.Client, tenant, names, MissedPolicy.Skip);

        var logs = new List<string>();
        for (var index = 0; index < 3; index++)
        {
            var (took, log) = await cluster.StopAsync(index);
            output.WriteLine($"silo {index}: stopped gracefully in {took.TotalSeconds:F1} s");
            await File.AppendAllTextAsync(Path.Combine(Path.GetTempPath(), "nodedb-rolling-restart.txt"),
                $"{DateTimeOffset.UtcNow:O} silo {index} stopped gracefully in {took.TotalSeconds:F1} s\n", TestContext.Current.CancellationToken);
            logs.Add(log);
            await cluster.RestartAsync(index);
            await cluster.WaitReadyAsync(index);
        }

        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
        var settled = await Schedules.StopAndSettleAsync(client.Client, tenant, names);

        // Kept for a failure's diagnosis, before anything is asserted.
        var silosNow = cluster.Silos.OfType<SiloProcess>().Select(s => s.Output).ToList();
        for (var i = 0; i < logs.Count + silosNow.Count; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(Path.GetTempPath(), $"rr-log-{i}.txt"), i < logs.Count ? logs[i] : silosNow[i - logs.Count], TestContext.Current.CancellationToken);
        }

        foreach (var name in names)
        {
            var history = await Schedules.HistoryAsync(client.Client, tenant, name);
            var accounting = OccurrenceAccounting.Check(name, history,
                OccurrenceAccounting.ReadEffects(cluster.TenantDatabase(tenant), name), settled[name].LastFired!.Value);
            output.WriteLine(accounting.ToString());
            var troubled = history.Any(r => r.Status is not (RunStatus.Succeeded or RunStatus.Cancelled));
            foreach (var row in history.Where(r => troubled || r.Status != RunStatus.Succeeded).OrderBy(r => r.ScheduledAt))
            {
                output.WriteLine($"  {row.RunId} {row.Status} scheduled {row.ScheduledAt:HH:mm:ss.fff} started {row.StartedAt:HH:mm:ss.fff} on {row.Silo}: {row.Reason}");
            }

            Assert.Empty(accounting.Problems);
            Assert.Equal(0, accounting.Missed);
            Assert.Equal(0, accounting.Interrupted);
            Assert.Equal(0, accounting.Skipped);
            Assert.Equal(0, accounting.Other);
            Assert.Equal(accounting.Occurrences, accounting.Ran);
            Assert.DoesNotContain(history, r => r.Status is RunStatus.Rejected or RunStatus.Interrupted or RunStatus.Missed);
        }

        // Each stop handed its schedules over, and no run of the deploy went through the failure path: nobody had to
        // settle an orphan from the ledger (what a stop without the hand-off leaves behind for its armed runs).
        logs.AddRange(silosNow);
        Assert.All(logs.Take(3), log => Assert.Contains("Shutdown: handed", log, StringComparison.Ordinal));

        // A stop drops no schedule on the silos that keep running: with Orleans' default directory, every activation whose
        // registration the stopping silo held was deactivated (DirectoryFailure), a third of all schedules per stop.
        var dropped = logs.SelectMany(log => log.Split('\n')).Where(line => line.Contains("lost its activation (DirectoryFailure", StringComparison.Ordinal)).ToList();
        Assert.True(dropped.Count == 0, "schedules dropped by the directory during the deploy:\n" + string.Join('\n', dropped.Take(10)));
        var orphans = logs.SelectMany(log => log.Split('\n')).Where(line => line.Contains("Orphaned run", StringComparison.Ordinal)).ToList();
        Assert.True(orphans.Count == 0, "runs settled from the ledger during the deploy:\n" + string.Join('\n', orphans.Take(20)));
    }
}
