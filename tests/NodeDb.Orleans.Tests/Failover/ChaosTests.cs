using System.Globalization;
using NodeDb.Orleans.Tests.Azure;
using NodeDb.Orleans.Tests.Firing;

namespace NodeDb.Orleans.Tests.Failover;

/// <summary>
/// 50 every-second schedules on 3 real silo processes (azure profile, Azurite) while silos are SIGKILLed and restarted
/// at random moments. Afterwards history and the tenants' databases must agree: no occurrence ran twice, and every
/// occurrence is accounted for (ran, or missed / skipped / interrupted with a reason).
/// </summary>
/// <remarks>
/// <c>NODEDB_CHAOS_SECONDS</c> sets the chaos phase (default 20, what CI runs); <c>NODEDB_CHAOS_SEED</c> replays a run.
/// scripts/chaos.sh runs it for two minutes. The counts are printed and written to <c>NODEDB_CHAOS_REPORT</c>
/// (default <c>chaos-report.txt</c> in the temp folder).
/// </remarks>
[Collection(ClusterCollection.Name)]
[Trait("Category", "Chaos")]
public sealed class ChaosTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    private const int ScheduleCount = 50;
    private const int TenantCount = 5;
    private static readonly MissedPolicy[] Policies = [MissedPolicy.Skip, MissedPolicy.Queue, MissedPolicy.CatchUp];

    [Fact]
    public async Task Fifty_every_second_schedules_survive_random_silo_kills_with_every_occurrence_accounted_once()
    {
        var seconds = int.TryParse(Environment.GetEnvironmentVariable("NODEDB_CHAOS_SECONDS"), CultureInfo.InvariantCulture, out var s) ? s : 20;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("NODEDB_CHAOS_SEED"), CultureInfo.InvariantCulture, out var given) ? given : Random.Shared.Next();
        var random = new Random(seed);
        var log = new List<string> { $"chaos: {ScheduleCount} schedules, 3 silos, {seconds} s, seed {seed}" };
        await using var cluster = await AzureProcessCluster.StartAsync(await azurite.EnsureStartedAsync(), silos: 3);
        await using var client = await ClusterClient.ConnectAsync(cluster);
        var run = Guid.NewGuid().ToString("N")[..6];
        var schedules = Enumerable.Range(0, ScheduleCount)
            .Select(i => (Tenant: $"chaos{run}t{i % TenantCount}", Name: $"c{i:D2}", Missed: Policies[i % Policies.Length]))
            .ToList();
        foreach (var (tenant, name, missed) in schedules)
        {
            await Schedules.CreateAsync(client.Client, Schedules.EverySecond(tenant, name, missed));
        }

        var end = DateTimeOffset.UtcNow.AddSeconds(seconds);
        var kills = 0;
        while (DateTimeOffset.UtcNow < end)
        {
            // The chaos itself is timed: random moments between kills, and a random downtime for each victim.
            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(2000, 6000)), TestContext.Current.CancellationToken);
            var victim = random.Next(3);
            await cluster.KillAsync(victim);
            kills++;
            var down = TimeSpan.FromMilliseconds(random.Next(1000, 8000));
            log.Add($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} killed silo {victim}, down {down.TotalSeconds:F1} s");
            await Task.Delay(down, TestContext.Current.CancellationToken);
            await cluster.RestartAsync(victim);
        }

        var totals = new Dictionary<string, int>(StringComparer.Ordinal);
        var others = new List<string>();
        var problems = new List<string>();
        foreach (var tenant in schedules.Select(x => x.Tenant).Distinct())
        {
            var names = schedules.Where(x => x.Tenant == tenant).Select(x => x.Name).ToList();
            var settled = await Schedules.StopAndSettleAsync(client.Client, tenant, names);
            foreach (var name in names)
            {
                var accounting = OccurrenceAccounting.Check(name, await Schedules.HistoryAsync(client.Client, tenant, name),
                    OccurrenceAccounting.ReadEffects(cluster.TenantDatabase(tenant), name), settled[name].LastFired!.Value);
                problems.AddRange(accounting.Problems.Select(p => $"{tenant}/{p}"));
                others.AddRange(accounting.OtherDetail);
                Add(totals, "occurrences", accounting.Occurrences);
                Add(totals, "ran", accounting.Ran);
                Add(totals, "covered by catch-up", accounting.CoveredByCatchUp);
                Add(totals, "missed", accounting.Missed);
                Add(totals, "skipped", accounting.Skipped);
                Add(totals, "interrupted", accounting.Interrupted);
                Add(totals, "other", accounting.Other);
            }
        }

        log.Add($"kills: {kills}; " + string.Join(", ", totals.Select(t => $"{t.Key} {t.Value}")) + $"; problems {problems.Count}");
        log.AddRange(others.GroupBy(o => o.Length > 100 ? o[..100] : o).Select(g => $"other: {g.Count()} x {g.Key}"));
        log.AddRange(problems.Take(50));
        var report = string.Join('\n', log);
        output.WriteLine(report);
        var reportFile = Environment.GetEnvironmentVariable("NODEDB_CHAOS_REPORT") is { Length: > 0 } f ? f : Path.Combine(Path.GetTempPath(), "chaos-report.txt");
        await File.WriteAllTextAsync(reportFile, report + "\n", TestContext.Current.CancellationToken);

        Assert.True(kills >= 1, "the chaos phase was too short to kill a silo");
        Assert.Empty(problems);
        // Every schedule existed for the whole chaos phase, so the accounting must span it: a history that lost its
        // early rows would start its range later and account for fewer occurrences without reporting a problem.
        Assert.True(totals["occurrences"] >= ScheduleCount * seconds, report);
        Assert.True(totals["ran"] > ScheduleCount * seconds / 2, report);
    }

    private static void Add(Dictionary<string, int> totals, string key, int value) => totals[key] = totals.GetValueOrDefault(key) + value;
}
