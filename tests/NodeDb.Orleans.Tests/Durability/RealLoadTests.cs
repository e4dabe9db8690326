using Microsoft.Data.Sqlite;
using NodeDb.Orleans.Tests.Failover;
using NodeDb.Orleans.Tests.Firing;
using NodeDb.Orleans.Tests.Processes;
using NodeDb.Orleans.Tests.Security;

namespace NodeDb.Orleans.Tests.Durability;

/// <summary>
/// The user's workload on the embedded default, as a user runs it: a real silo process, real SQL bodies against the
/// tenants' SQLite files, ten tenants whose schedules share their names. Every occurrence must run once, in one attempt,
/// with one ledger row, and a healthy silo must never take its own runs for orphans.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class RealLoadTests : IDisposable
{
    private const int Tenants = 10;
    private const int PerTenant = 10;
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(30);
    private const string Body = "BEGIN CREATE TABLE IF NOT EXISTS fx(at INTEGER); INSERT INTO fx(at) VALUES (1); END";

    private readonly string _data = Directory.CreateTempSubdirectory("nodedb-load-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
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
    public async Task Ten_tenants_with_ten_every_second_sql_schedules_each_run_every_occurrence_once_with_no_orphans()
    {
        await using var silo = await SiloProcess.StartAsync("load", ["--data-dir", _data, .. TestKeys.SiloArguments]);
        await using var client = await ClusterClient.ConnectLocalhostAsync(silo.GatewayPort);
        var tenants = Enumerable.Range(1, Tenants).Select(t => $"load{t}").ToList();
        var names = Enumerable.Range(1, PerTenant).Select(s => $"s{s}").ToList();
        foreach (var tenant in tenants)
        {
            await Task.WhenAll(names.Select(name => Schedules.CreateAsync(client.Client, new ScheduleDefinition
            {
                Tenant = tenant,
                Name = name,
                Cron = "* * * * * *",
                Body = Body,
                Retries = 3,
            })));
        }

        await Task.Delay(Window, TestContext.Current.CancellationToken);
        foreach (var tenant in tenants)
        {
            await Schedules.StopAndSettleAsync(client.Client, tenant, names);
        }

        Assert.DoesNotContain("Orphaned run", silo.Output, StringComparison.Ordinal);
        var total = 0;
        foreach (var tenant in tenants)
        {
            var ledger = LedgerOf(tenant);
            var rows = new List<RunRecord>();
            foreach (var name in names)
            {
                var history = await Schedules.HistoryAsync(client.Client, tenant, name);
                rows.AddRange(history);

                // Every second from the first occurrence to the last has exactly one row: nothing lost, nothing doubled.
                var instants = history.Select(r => r.ScheduledAt!.Value).Order().ToList();
                Assert.Equal(instants.Count, instants.Distinct().Count());
                Assert.Equal((int)(instants[^1] - instants[0]).TotalSeconds + 1, instants.Count);
                Assert.True(instants.Count >= Window.TotalSeconds - 5, $"{tenant}/{name} fired {instants.Count} times in {Window.TotalSeconds} s");

                // Disabling it cancels the occurrences armed ahead of their instants (ArmAhead: up to 3 s), and nothing else:
                // each cancelled one lay in the future when it was cancelled, and none ran after it.
                var cancelled = history.Where(r => r.Status == RunStatus.Cancelled).ToList();
                Assert.True(cancelled.Count <= 4, $"{tenant}/{name}: {cancelled.Count} cancelled rows");
                Assert.All(cancelled, r =>
                {
                    Assert.Equal("disabled before its instant", r.Reason);
                    // FinishedAt is when the dispatcher withdrew it; RecordedAt (when the grain wrote the row) may come later.
                    Assert.True(r.ScheduledAt > r.FinishedAt, $"{r.RunId} was cancelled at {r.FinishedAt:O}, after its instant");
                    Assert.DoesNotContain(history, o => o.Status != RunStatus.Cancelled && o.ScheduledAt > r.ScheduledAt);
                });
            }

            Assert.DoesNotContain(rows, r => r.Status is RunStatus.Rejected or RunStatus.Interrupted or RunStatus.Failed);
            Assert.DoesNotContain(rows, r => r.Attempt > 1);
            Assert.DoesNotContain(rows, r => r.Reason?.StartsWith("recovered", StringComparison.Ordinal) == true);

            // Each Succeeded row is one ledger row in the tenant's database, and the ledger holds nothing else.
            var succeeded = rows.Where(r => r.Status == RunStatus.Succeeded).Select(r => r.RunId).Order(StringComparer.Ordinal).ToList();
            var ran = rows.Count(r => r.Status != RunStatus.Cancelled);
            Assert.True(succeeded.Count >= ran * 0.99, $"{tenant}: {succeeded.Count} of {ran} occurrences succeeded");
            Assert.Equal(succeeded, ledger);
            total += succeeded.Count;
        }

        Assert.True(total >= Tenants * PerTenant * (Window.TotalSeconds - 10), $"{total} runs succeeded in all");
    }

    private List<string> LedgerOf(string tenant)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_data, "tenants", tenant + ".db")};Mode=ReadOnly;Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT run_id FROM nodedb_run_ledger";
        using var reader = command.ExecuteReader();
        var ids = new List<string>();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }

        return [.. ids.Order(StringComparer.Ordinal)];
    }
}
