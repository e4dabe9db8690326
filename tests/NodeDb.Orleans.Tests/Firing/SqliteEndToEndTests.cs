using Microsoft.Extensions.DependencyInjection;
using NodeDb.Orleans.Grains.Running;
using NodeDb.Orleans.Grains.Sql.Execution;
using NodeDb.Orleans.Tests.Cluster;

namespace NodeDb.Orleans.Tests.Firing;

/// <summary>The whole path on real parts: SQLite grain storage and reminders, the SQL runner, a tenant SQLite file.</summary>
[Collection(ClusterCollection.Name)]
public sealed class SqliteEndToEndTests
{
    private const string Body = """
        BEGIN
          CREATE TABLE IF NOT EXISTS ticks (at TEXT NOT NULL);
          INSERT INTO ticks (at) VALUES ('x');
        END
        """;

    [Fact]
    public async Task A_six_field_schedule_inserts_one_row_per_second_into_the_tenant_database()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 2, storage: SchedulerCluster.SqliteStorage, sqlRunner: true);
        await cluster.CreateAsync("acme", "ticker", "* * * * * *", d => d with { Body = Body });
        await cluster.AdvanceAsync(TimeSpan.Zero);
        for (var i = 0; i < 5; i++)
        {
            await cluster.AdvanceAsync(TimeSpan.FromSeconds(1));
        }

        var sql = cluster.SiloServices.First().GetRequiredService<ITenantSqlExecutor>();
        var rows = await sql.ExecuteAsync("acme", "SELECT count(*) FROM ticks", "test", TestContext.Current.CancellationToken);
        Assert.Equal(6L, rows.Rows.Single().Single());
        var ledger = await sql.ExecuteAsync("acme", "SELECT count(*) FROM nodedb_run_ledger", "test", TestContext.Current.CancellationToken);
        Assert.Equal(6L, ledger.Rows.Single().Single());
        var history = await cluster.HistoryAsync("acme", "ticker");
        Assert.Equal(6, history.Count(r => r.Status == RunStatus.Succeeded && r.Attempt == 1 && r.Owner == SchedulerCluster.AdminPrincipal));
    }

    [Fact]
    public async Task A_failing_body_records_the_error_and_leaves_nothing_behind()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 1, storage: SchedulerCluster.SqliteStorage, sqlRunner: true);
        await cluster.CreateAsync("acme", "broken", "* * * * *", d => d with
        {
            Body = "BEGIN CREATE TABLE IF NOT EXISTS t (v INTEGER NOT NULL); INSERT INTO t VALUES (1); INSERT INTO t VALUES (NULL); END",
        });
        await cluster.AdvanceAsync(TimeSpan.Zero);

        var row = Assert.Single(await cluster.HistoryAsync("acme", "broken"));
        Assert.Equal(RunStatus.Failed, row.Status);
        Assert.Contains("NOT NULL", row.Error, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(1, row.Attempt); // a constraint violation is not retried
        var sql = cluster.SiloServices.First().GetRequiredService<ITenantSqlExecutor>();
        var tables = await sql.ExecuteAsync("acme", "SELECT count(*) FROM sqlite_master WHERE name = 't'", "test", TestContext.Current.CancellationToken);
        Assert.Equal(0L, tables.Rows.Single().Single()); // the CREATE rolled back with the rest
    }

    [Theory]
    [InlineData(0, RunStatus.Succeeded, null)]
    [InlineData(10, RunStatus.Interrupted, "stopped before the run committed; not run again (MISSED = SKIP)")]
    public async Task Stopping_a_silo_cancels_its_runs_and_a_survivor_settles_them(int minutesLater, RunStatus status, string? reason)
    {
        await using var cluster = await SchedulerCluster.StartAsync(
            silos: 2, configure: o => o.ShutdownDrain = TimeSpan.FromMilliseconds(200), storage: SchedulerCluster.SqliteStorage);
        await cluster.CreateAsync("t1", "long", "* * * * *");
        cluster.Scripted.Hold("long");
        await cluster.TickAsync();
        await cluster.Scripted.WhenStartedAsync("long");

        var busy = cluster.Cluster.Silos.Single(s =>
            cluster.Cluster.GetSiloServiceProvider(s.SiloAddress).GetRequiredService<JobDispatcher>().InFlight == 1);
        cluster.Time.Advance(TimeSpan.FromMinutes(minutesLater)); // before the stop: survivors may settle at once
        await cluster.Cluster.StopSiloAsync(busy, TestContext.Current.CancellationToken);
        await cluster.Cluster.WaitForLivenessToStabilizeAsync();
        cluster.Scripted.Release("long");

        // The next activation, on the survivor, finds the run rolled back (absent from the ledger): a current
        // occurrence runs again there; one that is now old is recorded as interrupted under MISSED = SKIP.
        await cluster.Schedule("t1", "long").GetStatusAsync();
        await cluster.DrainAsync();

        var first = cluster.Scripted.Requests.First().RunId;
        var row = Assert.Single(await cluster.HistoryAsync("t1", "long"), r => r.RunId == first);
        Assert.Equal(status, row.Status);
        if (reason is not null)
        {
            Assert.Contains(reason, row.Reason);
        }

        // (The survivors' failover wake may already have started a later occurrence; only the settled run matters.)
        Assert.DoesNotContain((await cluster.Schedule("t1", "long").GetStatusAsync())!.InFlight, r => r.RunId == first);
    }
}
