using NodeDb.Orleans.Tests.Security;
using NodeDb.Orleans.Tests.Processes;
using NodeDb.Orleans.Tests.Failover;
using NodeDb.Orleans.Tests.Firing;

namespace NodeDb.Orleans.Tests.Durability;

/// <summary>
/// The embedded profile's promise (DESIGN §8): after <c>kill -9</c> of the real silo process and a restart on the same
/// data directory nothing is lost, and each schedule's missed policy decides what the downtime's occurrences become.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class EmbeddedKillRestartTests(ITestOutputHelper output) : IDisposable
{
    private const string Tenant = "dur";
    private const string SlowTenant = "durslow";
    // Longer than ArmAhead (3 s, claimed before the kill) + the 5 s grace (late, not missed) + 3 s, so that at least three
    // occurrences of the gap are missed under SKIP and replayed under QUEUE however fast the restart is (8 s gave 2).
    private static readonly TimeSpan Downtime = TimeSpan.FromSeconds(12);

    // Holds the tenant's write lock for a few seconds, so a run is surely in flight when the process dies.
    private const string SlowBody = """
        BEGIN
          CREATE TABLE IF NOT EXISTS effects (run_id TEXT NOT NULL, at TEXT NOT NULL);
          INSERT INTO effects (run_id, at) SELECT run_id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM nodedb_run_ledger WHERE rowid = last_insert_rowid();
          WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 15000000) SELECT count(*) FROM c;
        END
        """;

    private readonly string _data = Directory.CreateTempSubdirectory("nodedb-durability-").FullName;

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
    public async Task Kill_9_and_restart_loses_nothing_and_each_missed_policy_decides_the_downtime()
    {
        string[] args = ["--data-dir", _data, .. TestKeys.SiloArguments];
        var policies = new Dictionary<string, MissedPolicy>
        {
            ["skip"] = MissedPolicy.Skip, ["queue"] = MissedPolicy.Queue, ["catchup"] = MissedPolicy.CatchUp,
        };
        Dictionary<string, ScheduleStatus> before = [];
        HashSet<string> historyBefore = [];
        string slowRunId;

        await using (var first = await SiloProcess.StartAsync("embedded-1", args))
        {
            await using var client = await ClusterClient.ConnectLocalhostAsync(first.GatewayPort);
            foreach (var (name, missed) in policies)
            {
                await Schedules.CreateAsync(client.Client, Schedules.EverySecond(Tenant, name, missed));
            }

            await Schedules.CreateAsync(client.Client, Schedules.EverySecond(SlowTenant, "slow", MissedPolicy.Queue, SlowBody) with
            {
                Cron = "*/3 * * * * *", Overlap = OverlapPolicy.Skip,
            });
            foreach (var name in policies.Keys)
            {
                await Schedules.UntilAsync(() => Schedules.HistoryAsync(client.Client, Tenant, name),
                    h => h.Count(r => r.Status == RunStatus.Succeeded) >= 3, $"{name} to run three times");
            }

            var slow = await Schedules.UntilAsync(() => Schedules.StatusAsync(client.Client, SlowTenant, "slow"),
                s => s is { InFlight: [{ Buffered: false }, ..] }, "a slow run in flight");
            slowRunId = slow!.InFlight[0].RunId;
            foreach (var name in policies.Keys)
            {
                before[name] = (await Schedules.StatusAsync(client.Client, Tenant, name))!;
                historyBefore.UnionWith((await Schedules.HistoryAsync(client.Client, Tenant, name)).Select(r => r.RunId));
            }

            await first.KillAsync();
            output.WriteLine($"killed the silo with {slowRunId} in flight");
        }

        await Task.Delay(Downtime, TestContext.Current.CancellationToken);
        var restartedAt = DateTimeOffset.UtcNow;
        await using var second = await SiloProcess.StartAsync("embedded-2", args);
        await using var again = await ClusterClient.ConnectLocalhostAsync(second.GatewayPort);
        foreach (var name in policies.Keys)
        {
            await Schedules.UntilAsync(() => Schedules.HistoryAsync(again.Client, Tenant, name),
                h => h.Any(r => r.Status == RunStatus.Succeeded && r.RecordedAt > restartedAt && r.Trigger == RunTrigger.Cron),
                $"{name} to fire on time after the restart");
        }

        var slowAfter = await Schedules.UntilAsync(() => Schedules.HistoryAsync(again.Client, SlowTenant, "slow"),
            h => h.Any(r => r.RunId == slowRunId), $"the interrupted run {slowRunId} to be settled");
        var settled = await Schedules.StopAndSettleAsync(again.Client, Tenant, policies.Keys);
        await Schedules.StopAndSettleAsync(again.Client, SlowTenant, ["slow"]);

        // The in-flight run: absent from the ledger after the kill, so under MISSED = QUEUE it ran again, once.
        var slowHistory = await Schedules.HistoryAsync(again.Client, SlowTenant, "slow");
        Assert.Equal(RunStatus.Succeeded, Assert.Single(slowHistory, r => r.RunId == slowRunId).Status);
        var slowDb = Path.Combine(_data, "tenants", SlowTenant + ".db");
        Assert.Equal(1, OccurrenceAccounting.ReadEffects(slowDb, "slow")[slowRunId]);
        Assert.Contains(slowRunId, OccurrenceAccounting.ReadLedger(slowDb, "slow"));

        var tenantDb = Path.Combine(_data, "tenants", Tenant + ".db");
        var results = new Dictionary<string, (OccurrenceAccounting Accounting, IReadOnlyList<RunRecord> History)>();
        foreach (var name in policies.Keys)
        {
            var history = await Schedules.HistoryAsync(again.Client, Tenant, name);
            var effects = OccurrenceAccounting.ReadEffects(tenantDb, name);
            var accounting = OccurrenceAccounting.Check(name, history, effects, settled[name].LastFired!.Value);
            output.WriteLine(accounting.ToString());
            Assert.Empty(accounting.Problems);
            Assert.Equal(effects.Keys.Order(), OccurrenceAccounting.ReadLedger(tenantDb, name).Order());
            Assert.Equal(policies[name], settled[name].Definition.Missed);
            results[name] = (accounting, history);

            // Definitions and markers came back from the SQLite grain storage; no row recorded before the kill is lost.
            Assert.Equal(before[name].Definition, settled[name].Definition with { Enabled = true });
            Assert.True(settled[name].LastFired > before[name].LastFired);
            Assert.Subset(history.Select(r => r.RunId).ToHashSet(), historyBefore.Where(id => id.StartsWith(name + ".", StringComparison.Ordinal)).ToHashSet());
        }

        // SKIP: the downtime's occurrences older than the grace are Missed rows with the policy in the reason.
        var skip = results["skip"];
        Assert.True(skip.Accounting.Missed + skip.Accounting.Interrupted >= 3, skip.Accounting.ToString());
        Assert.All(skip.History.Where(r => r.Status == RunStatus.Missed), r => Assert.Contains("MISSED = SKIP", r.Reason));

        // QUEUE: every occurrence of the downtime ran, in order, once.
        var queue = results["queue"];
        Assert.Equal(0, queue.Accounting.Missed);
        Assert.Equal(queue.Accounting.Occurrences, queue.Accounting.Ran);
        Assert.True(queue.History.Count(r => r.Trigger == RunTrigger.Queue) >= 3, "no queued replays of the downtime");

        // CATCH_UP: one run stands for the downtime.
        var catchUp = results["catchup"];
        var covering = Assert.Single(catchUp.History, r => r.Trigger == RunTrigger.CatchUp);
        Assert.True(covering.Count >= 3, $"the catch-up run covers only {covering.Count} occurrences");
        Assert.Equal(0, catchUp.Accounting.Missed);
    }
}
