using System.Globalization;
using NodeDb.Orleans.Benchmarks.NodeDb;
using NodeDb.Orleans.Tests.Azure;
using NodeDb.Orleans.Tests.Failover;

namespace NodeDb.Orleans.Benchmarks.Scenarios;

/// <summary>
/// S4: three real silo processes on the azure profile (Azurite in memory); SIGKILL the silo that runs the most
/// every-second schedules and measure how long until its schedules fire on a survivor, then count every occurrence of
/// the run: each must have exactly one history row and at most one effect (MISSED = QUEUE, so none is Missed).
/// </summary>
/// <remarks>
/// Fire times come from the history rows' <c>StartedAt</c>, written by the silos on this machine's clock. Each round
/// after the first restarts the silo killed last on new ports, waits until membership lists three active silos, and
/// kills the busiest silo again.
/// </remarks>
public static class FailoverScenario
{
    private const int Silos = 3;
    private static readonly TimeSpan FailoverLimit = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

    public static async Task<ResultTable> RunAsync(BenchSettings settings, TextWriter log)
    {
        var n = settings.S4Schedules;
        var table = new ResultTable($"S4 failover: {Silos} silo processes, {n} schedules every second, SIGKILL of the busiest silo");
        if (settings.S4Rounds == 0)
        {
            table.Note($"S4: not run in {settings.Mode} mode (it starts {Silos} silo processes and Azurite).");
            return table;
        }

        if (AzuriteProcess.FindExecutable() is not { } azuriteBin)
        {
            table.Note("S4: not run: no node_modules/.bin/azurite-table (run scripts/azurite/install.sh; scripts/bench.sh does).");
            return table;
        }

        log.WriteLine($"S4: Azurite and {Silos} silo processes…");
        await using var azurite = await AzuriteProcess.StartAsync(azuriteBin);
        await using var cluster = await AzureProcessCluster.StartAsync(azurite.ConnectionString, Silos);
        await using var client = await FailoverClient.ConnectAsync(cluster);
        var tenant = "s4" + Guid.NewGuid().ToString("N")[..8];
        var names = Enumerable.Range(0, n).Select(i => $"s{i:D2}").ToList();

        log.WriteLine($"S4: {n} every-second schedules, waiting until each ran twice…");
        foreach (var name in names)
        {
            await client.CreateAsync(new ScheduleDefinition
            {
                Tenant = tenant,
                Name = name,
                Cron = "* * * * * *",
                Missed = MissedPolicy.Queue,
                Body = OccurrenceAccounting.EffectBody,
                Retries = 3,
            });
        }

        var since = DateTimeOffset.MinValue;
        var rounds = new List<Round>();
        for (var round = 1; round <= settings.S4Rounds; round++)
        {
            var hosts = await ProcessClusterSteps.HostsAsync(client, tenant, names, since, runs: 2);
            var victim = hosts.Values.Where(h => cluster.IndexOf(h) >= 0)
                .GroupBy(h => h, StringComparer.Ordinal).OrderByDescending(g => g.Count()).First().Key;
            var index = cluster.IndexOf(victim);
            var orphans = hosts.Where(h => h.Value == victim).Select(h => h.Key).ToList();
            log.WriteLine($"S4: round {round}: SIGKILL of {victim} running {orphans.Count} of {n} schedules…");

            var killedAt = DateTimeOffset.UtcNow;
            await cluster.KillAsync(index);
            var result = await SurvivorFiresAsync(client, tenant, orphans, victim, killedAt);
            rounds.Add(new Round(round, victim, orphans.Count, result.First, result.All, result.Pending));
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"S4: round {round}: first fire on a survivor after {result.First:0.0} s, all {orphans.Count} after {result.All:0.0} s"));

            if (round < settings.S4Rounds)
            {
                await cluster.RestartAsync(index);
                await cluster.WaitReadyAsync(index);
                since = DateTimeOffset.UtcNow;
            }
        }

        await Task.Delay(settings.S4Tail);
        log.WriteLine("S4: disabling the schedules and counting every occurrence…");
        var lastFired = await ProcessClusterSteps.StopAndSettleAsync(client, tenant, names);
        var count = new OccurrenceTally();
        foreach (var name in names)
        {
            var history = await client.HistoryAsync(tenant, name);
            var effects = OccurrenceAccounting.ReadEffects(cluster.TenantDatabase(tenant), name);
            count.Add(OccurrenceAccounting.Check(name, history, effects, lastFired[name]), ProcessClusterSteps.Duplicates(history, effects));
        }

        Fill(table, rounds, count, settings);
        return table;
    }

    private static void Fill(ResultTable table, List<Round> rounds, OccurrenceTally count, BenchSettings settings)
    {
        var first = rounds.Select(r => r.FirstS).ToList();
        var all = rounds.Select(r => r.AllS).ToList();
        table.Add("time from SIGKILL to first fire on a survivor, median, s", ProcessClusterSteps.Median(first), double.NaN);
        table.Add("time from SIGKILL to first fire on a survivor, max, s", ProcessClusterSteps.Max(first), double.NaN, "< 20 s", ProcessClusterSteps.Max(first) < 20);
        table.Add("time until every orphaned schedule fired on a survivor, median, s", ProcessClusterSteps.Median(all), double.NaN);
        table.Add("time until every orphaned schedule fired on a survivor, max, s", ProcessClusterSteps.Max(all), double.NaN);
        table.Add("duplicate fires", count.Duplicates, double.NaN, "0", count.Duplicates == 0, "0");
        table.Add("occurrences without a history row", count.Unaccounted, double.NaN, "0", count.Unaccounted == 0, "0");
        table.Add("occurrences Missed (MISSED = QUEUE)", count.Missed, double.NaN, "0", count.Missed == 0, "0");
        table.Add("accounting problems", count.Problems.Count, double.NaN, "0", count.Problems.Count == 0, "0");

        foreach (var r in rounds)
        {
            var pending = r.Pending > 0 ? $"; {r.Pending} had not fired on a survivor after {FailoverLimit.TotalSeconds:0} s" : "";
            table.Note(string.Create(CultureInfo.InvariantCulture,
                $"Round {r.Number}: SIGKILL of {r.Victim}, which ran {r.Orphans} schedules; first fire on a survivor {r.FirstS:0.0} s, every one {r.AllS:0.0} s after the kill{pending}."));
        }

        table.Note($"Occurrences counted: {count.Occurrences} = {count.Ran} ran + {count.CaughtUp} covered by a catch-up run + {count.Missed} missed + {count.Skipped} skipped + {count.Interrupted} interrupted + {count.Other} other + {count.Unaccounted} without a row; besides, {count.Withdrawn} occurrences armed ahead (Scheduler:ArmAhead) were withdrawn by the final disable before their instant.");
        foreach (var problem in count.Problems.Take(20))
        {
            table.Note($"Problem: {problem}");
        }

        table.Note(string.Create(CultureInfo.InvariantCulture,
            $"{Silos} silo processes (`dotnet NodeDb.Orleans.Silo.dll --profile azure`) on loopback against an in-memory Azurite Table endpoint, one shared data directory for the SQLite tenant database; {settings.S4Schedules} schedules `* * * * * *`, MISSED = QUEUE, a body that writes one effect row per run; {(rounds.Count == 1 ? "one kill round" : $"{rounds.Count} kill rounds, each after the silo killed before had been restarted on new ports and had rejoined")}; the run went on {settings.S4Tail.TotalSeconds:0} s after the last failover."));
        table.Note("Membership as the azure profile sets it: ProbeTimeout 2 s × NumMissedProbesLimit 3, membership table re-read every 10 s (TableRefreshTimeout); the rest Orleans 10 defaults.");
        table.Note("Quartz.NET: not measured. The RAMJobStore used for S1–S3 has no failover at all (a killed process takes its triggers with it); clustered Quartz (AdoJobStore) needs a database schema and was not set up.");
        table.Note($"Load average at the end of S4: {BenchmarkRun.LoadAverage()}.");
    }

    /// <summary>Polls the orphans' history until each has a Succeeded run on another silo that started after the kill.</summary>
    private static async Task<(double First, double All, int Pending)> SurvivorFiresAsync(
        FailoverClient client, string tenant, List<string> orphans, string victim, DateTimeOffset killedAt)
    {
        var fired = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var deadline = killedAt + FailoverLimit;
        while (fired.Count < orphans.Count && DateTimeOffset.UtcNow < deadline)
        {
            foreach (var name in orphans.Where(o => !fired.ContainsKey(o)))
            {
                var starts = (await client.HistoryAsync(tenant, name))
                    .Where(r => r.Status == RunStatus.Succeeded && r.Silo is not null && r.Silo != victim && r.StartedAt > killedAt)
                    .Select(r => r.StartedAt!.Value).ToList();
                if (starts.Count > 0)
                {
                    fired[name] = starts.Min();
                }
            }

            if (fired.Count < orphans.Count)
            {
                await Task.Delay(Poll);
            }
        }

        double Seconds(DateTimeOffset at) => (at - killedAt).TotalSeconds;
        var pending = orphans.Count - fired.Count;
        return fired.Count == 0
            ? (double.NaN, double.NaN, pending)
            : (Seconds(fired.Values.Min()), pending > 0 ? double.NaN : Seconds(fired.Values.Max()), pending);
    }

    private sealed record Round(int Number, string Victim, int Orphans, double FirstS, double AllS, int Pending);
}
