using Microsoft.Extensions.DependencyInjection;
using NodeDb.Orleans.Grains.Running;
using NodeDb.Orleans.Grains.Sql.Execution;
using NodeDb.Orleans.Tests.Cluster;

namespace NodeDb.Orleans.Tests.Firing;

/// <summary>
/// The cap (<c>MaxConcurrentJobs</c>) counts transactions open against tenant databases, not runs waiting for their
/// tenant's writer: the writer's lane runs on one slot, and a run that joins its queue frees its own (RunSlot). Real
/// parts: SQLite grain storage, the SQL runner, tenant SQLite files.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class RunSlotTests
{
    // Runs until it is interrupted: it holds its tenant's writer for as long as the test needs.
    private const string Endless = "BEGIN WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c; END";

    private const string Insert = "BEGIN CREATE TABLE IF NOT EXISTS ticks (at TEXT NOT NULL); INSERT INTO ticks (at) VALUES ('x'); END";

    [Fact]
    public async Task Runs_waiting_for_their_tenants_busy_writer_leave_the_slots_to_another_tenant()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 1, storage: SchedulerCluster.SqliteStorage, sqlRunner: true, configure: o =>
        {
            o.MaxConcurrentJobs = 2;
            o.MaxConcurrentRunsPerTenant = 2;
        });
        var dispatcher = cluster.SiloServices.Single().GetRequiredService<JobDispatcher>();

        // t1's writer is busy with a body that does not end.
        await cluster.CreateAsync("t1", "endless", "* * * * *", d => d with { Body = Endless });
        await cluster.TickAsync();
        await Until.TrueAsync(() => Task.FromResult(dispatcher.InFlight == 1));

        // Four more runs of t1 queue behind it, then t2's run comes: with a cap of 2, it finds a slot only if t1's
        // waiting runs do not hold theirs.
        var names = Enumerable.Range(1, 4).Select(i => $"s{i}").ToList();
        foreach (var name in names)
        {
            await cluster.CreateAsync("t1", name, "* * * * *", d => d with { Body = Insert });
        }

        await cluster.TickAsync();
        await cluster.CreateAsync("t2", "other", "* * * * *", d => d with { Body = Insert });
        await cluster.TickAsync();

        await Until.TrueAsync(async () => (await cluster.HistoryAsync("t2", "other")).Count == 1);
        Assert.Equal(RunStatus.Succeeded, Assert.Single(await cluster.HistoryAsync("t2", "other")).Status);
        Assert.Equal(0, dispatcher.QueueLength);

        // What holds a slot now is t1's lane, one, however many of t1's runs wait in it.
        await Until.TrueAsync(() => Task.FromResult(dispatcher.InFlight == 1));
        foreach (var name in names)
        {
            Assert.Empty(await cluster.HistoryAsync("t1", name));
        }

        // Interrupting the endless body lets the queued runs commit, each once; then no slot is left taken.
        var endless = Assert.Single((await cluster.Schedule("t1", "endless").GetStatusAsync())!.InFlight);
        Assert.True(dispatcher.Cancel(new RunKey(ScheduleKey.Of("t1", "endless"), endless.RunId), "test"));
        await cluster.DrainAsync();
        foreach (var name in names)
        {
            await Until.TrueAsync(async () => (await cluster.HistoryAsync("t1", name)).Count == 1);
            Assert.Equal(RunStatus.Succeeded, Assert.Single(await cluster.HistoryAsync("t1", name)).Status);
        }

        var sql = cluster.SiloServices.Single().GetRequiredService<ITenantSqlExecutor>();
        var ticks = await sql.ExecuteAsync("t1", "SELECT count(*) FROM ticks", "test", TestContext.Current.CancellationToken);
        Assert.Equal(4L, ticks.Rows.Single().Single());
        await Until.TrueAsync(() => Task.FromResult(dispatcher.InFlight == 0));
        Assert.Equal(0, dispatcher.QueueLength);
    }
}
