using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using NodeDb.Orleans.Grains;
using NodeDb.Orleans.Grains.Recovery;
using NodeDb.Orleans.Grains.Schedules;
using NodeDb.Orleans.Grains.Storage;
using NodeDb.Orleans.Tests.Cluster;
using NodeDb.Orleans.Tests.Recovery;

namespace NodeDb.Orleans.Tests.Firing;

/// <summary>
/// The bulk paths (issue 13, fifth pass) write new schedules without an activation each (<see cref="BulkScheduleWriter"/>):
/// what they store is committed when the call returns and is what a grain-created schedule stores, the schedules fire as
/// grain-created ones do, a failed write is reported for its schedule alone, and a schedule grain that read "no schedule"
/// just before never acts on that stale view.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class BulkWriterTests
{
    private const string Minutely = "* * * * *";

    [Fact]
    public async Task A_bulk_create_commits_each_schedule_whole_without_activating_it_and_each_fires_as_a_grain_created_one_does()
    {
        string? data = null;
        await using var cluster = await SchedulerCluster.StartAsync(silos: 1, storage: (silo, directory) =>
        {
            data = directory;
            SchedulerCluster.SqliteStorage(silo, directory);
        });
        var reference = await cluster.CreateAsync("bw", "by-grain", Minutely);

        var results = await Tenant(cluster, "bw").CreateManyAsync([.. Enumerable.Range(0, 20).Select(i => Definition("bw", $"m{i:D2}", Minutely))]);

        Assert.All(results, r => Assert.True(r.Created, r.Error));
        Assert.Equal(1, await ScheduleActivationsAsync(cluster)); // only the grain-created one

        // Committed when the call returned: another connection to the file sees every state row and reminder.
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(data!, SqliteStorageOptions.DatabaseFileName)};Pooling=False"))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            Assert.Equal(21L, await ScalarAsync(connection, "SELECT COUNT(*) FROM grain_state WHERE state_name = 'schedule'"));
            Assert.Equal(21L, await ScalarAsync(connection, "SELECT COUNT(*) FROM reminders WHERE reminder_name = 'nodedb-wake'"));
        }

        foreach (var name in results.Select(r => r.Name))
        {
            await AssertWholeAsync(cluster, "bw", name);
            var status = (await cluster.Schedule("bw", name).GetStatusAsync())!;
            Assert.Equal(SchedulerCluster.AdminPrincipal, status.Definition.Owner);
            Assert.Equal((reference.CreatedAt, reference.UpdatedAt, reference.LastFired, reference.NextRun), (status.CreatedAt, status.UpdatedAt, status.LastFired, status.NextRun));
        }

        // Due now (12:00, the create came 30 s into its minute) and at 12:01: every one fires both, as the grain-created one.
        await cluster.AdvanceAsync(TimeSpan.Zero);
        await cluster.AdvanceAsync(TimeSpan.FromMinutes(1));
        var expected = cluster.Scripted.RequestsOf("bw", "by-grain").Select(r => r.ScheduledAt).ToList();
        Assert.Equal(2, expected.Count);
        foreach (var name in results.Select(r => r.Name))
        {
            Assert.Equal(expected, cluster.Scripted.RequestsOf("bw", name).Select(r => r.ScheduledAt));
        }
    }

    [Fact]
    public async Task A_schedule_grain_that_read_no_schedule_before_a_bulk_create_of_its_name_acts_on_the_created_one()
    {
        await using var cluster = await StoredSchedules.StartSqliteAsync(new StorageFaults());
        Assert.Null(await cluster.Schedule("st", "x").GetStatusAsync()); // activates x's grain with no state

        var results = await Tenant(cluster, "st").CreateManyAsync([Definition("st", "x", Minutely), Definition("st", "y", Minutely)]);

        Assert.All(results, r => Assert.True(r.Created, r.Error));
        Assert.NotNull(await cluster.Schedule("st", "x").GetStatusAsync());
        await cluster.AdvanceAsync(TimeSpan.Zero);
        Assert.Single(cluster.Scripted.RequestsOf("st", "x"));

        // A DROP through that activation drops the schedule, not a "stray name".
        Assert.True(await cluster.Schedule("st", "x").DropAsync());
        Assert.DoesNotContain("x", await Tenant(cluster, "st").ListAsync());
        Assert.Null(await cluster.Schedule("st", "x").GetStatusAsync());

        // Its tombstone is a row: the writer's "no row" write conflicts and the grain creates it again.
        Assert.True(Assert.Single(await Tenant(cluster, "st").CreateManyAsync([Definition("st", "x", "0 0 1 1 *")])).Created);
        Assert.Equal("0 0 1 1 *", (await cluster.Schedule("st", "x").GetStatusAsync())!.Definition.Cron);
        await AssertWholeAsync(cluster, "st", "x");
    }

    [Fact]
    public async Task A_create_through_a_grain_that_read_no_schedule_before_a_bulk_create_says_it_exists_and_keeps_it_whole()
    {
        await using var cluster = await StoredSchedules.StartSqliteAsync(new StorageFaults());
        Assert.Null(await cluster.Schedule("cc", "x").GetStatusAsync());
        Assert.Null(await cluster.Schedule("cc", "r").GetStatusAsync());
        var results = await Tenant(cluster, "cc").CreateManyAsync([Definition("cc", "x", Minutely), Definition("cc", "r", Minutely)]);
        Assert.All(results, r => Assert.True(r.Created, r.Error));

        // The create's write expects "no row" and meets the bulk's: the schedule exists, and keeps its name, wake entry and
        // reminder (an activation that gave them back would leave a stored schedule that nothing lists or wakes).
        var error = await Assert.ThrowsAsync<NodeDbException>(() => cluster.CreateAsync("cc", "x", "0 0 1 1 *"));
        Assert.Equal(ErrorCodes.AlreadyExists, error.Code);
        await AssertWholeAsync(cluster, "cc", "x");
        Assert.Equal(Minutely, (await cluster.Schedule("cc", "x").GetStatusAsync())!.Definition.Cron);

        // OR REPLACE replaces it.
        var replaced = await cluster.Schedule("cc", "r").CreateAsync(Definition("cc", "r", "0 0 1 1 *"), replace: true);
        Assert.Equal("0 0 1 1 *", replaced.Definition.Cron);
        await AssertWholeAsync(cluster, "cc", "r");
    }

    [Fact]
    public async Task A_bulk_create_whose_state_write_fails_reports_that_schedule_alone_and_a_retry_creates_it_whole()
    {
        var faults = new StorageFaults();
        await using var cluster = await StoredSchedules.StartSqliteAsync(faults);
        faults.Fail("schedule", ScheduleKey.Of("sf", "victim"), times: 1);
        var definitions = Enumerable.Range(0, 10).Select(i => Definition("sf", $"ok{i}", Minutely)).Append(Definition("sf", "victim", Minutely)).ToList();

        var results = await Tenant(cluster, "sf").CreateManyAsync([.. definitions]);

        var failed = Assert.Single(results, r => !r.Created);
        Assert.Equal("victim", failed.Name);
        Assert.Equal(ErrorCodes.StorageFailed, failed.ErrorCode);
        Assert.Contains("Schedule 'victim' could not be stored", failed.Error, StringComparison.Ordinal);
        foreach (var name in results.Where(r => r.Created).Select(r => r.Name))
        {
            await AssertWholeAsync(cluster, "sf", name);
        }

        // The write's outcome was unknown to the writer, so the name stays reserved (never a stored schedule that no index
        // lists); nothing is stored, and the retry creates it whole.
        Assert.Null(await cluster.Schedule("sf", "victim").GetStatusAsync());
        Assert.Contains("victim", await Tenant(cluster, "sf").ListAsync());
        Assert.True(Assert.Single(await Tenant(cluster, "sf").CreateManyAsync([Definition("sf", "victim", Minutely)])).Created);
        await AssertWholeAsync(cluster, "sf", "victim");
    }

    [Fact]
    public async Task A_bulk_create_whose_wake_write_fails_writes_no_state_ahead_of_it_and_creates_every_schedule_whole_through_the_grains()
    {
        // A failure before the states (here a wake segment's write; a crash there is the same) leaves at most wake entries
        // and reminders without a state: no schedule is stored that nothing wakes. The writer then leaves the slice to the
        // schedules' grains, which write all of it again.
        var faults = new StorageFaults();
        await using var cluster = await StoredSchedules.StartSqliteAsync(faults);
        var names = Enumerable.Range(0, 40).Select(i => $"w{i:D2}").ToList();
        faults.Fail("wake.0", WakeShards.ShardOf(ScheduleKey.Of("wf", names[0])), times: 1);

        var results = await Tenant(cluster, "wf").CreateManyAsync([.. names.Select(n => Definition("wf", n, Minutely))]);

        Assert.Equal(1, faults.Failed);
        Assert.All(results, r => Assert.True(r.Created, r.Error));
        foreach (var name in names)
        {
            await AssertWholeAsync(cluster, "wf", name);
        }

        Assert.Equal(40, await ScheduleActivationsAsync(cluster)); // created by their grains
    }

    [Fact]
    public async Task Each_definition_that_shares_a_refused_body_or_cron_is_refused_with_its_reason_and_the_others_are_created()
    {
        // The writer checks each distinct body and cron once per call: a repeated bad one must still refuse every definition.
        await using var cluster = await SchedulerCluster.StartAsync(silos: 1, sqlRunner: true, configure: o => o.MinimumInterval = TimeSpan.FromMinutes(5));
        var definitions = new List<ScheduleDefinition>();
        for (var i = 0; i < 12; i++)
        {
            var definition = Definition("rf", $"d{i:D2}", "0 0 1 1 *");
            definitions.Add(i switch
            {
                < 3 => definition with { Body = "BEGIN DECLARE n INT; IF 1 = 1 THEN SELECT 1; END IF; END" },
                < 5 => definition with { Cron = Minutely },
                _ => definition,
            });
        }

        var results = await Tenant(cluster, "rf").CreateManyAsync([.. definitions]);

        Assert.All(results.Take(3), r => Assert.Equal(ErrorCodes.BodyRejected, r.ErrorCode));
        Assert.All(results.Skip(3).Take(2), r => Assert.Contains("must be at least 00:05:00 apart", r.Error, StringComparison.Ordinal));
        Assert.All(results.Skip(5), r => Assert.True(r.Created, r.Error));
        Assert.Equal(results.Skip(5).Select(r => r.Name), await Tenant(cluster, "rf").ListAsync());
    }

    [Fact]
    public async Task A_scripts_create_results_carry_the_status_the_created_schedules_report_and_none_of_them_is_activated()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 1, sqlRunner: true);
        var script = string.Concat(Enumerable.Range(0, 30).Select(i =>
            $"CREATE SCHEDULE s{i:D2} CRON '{(i % 2 == 0 ? Minutely : "0 0 1 1 *")}' TIMEZONE 'Europe/Paris' AS BEGIN SELECT 1; END;\n"));

        var results = await cluster.Client.GetGrain<ISqlSessionGrain>("sc").ExecuteAsync(script, "alice");

        Assert.Equal(0, await ScheduleActivationsAsync(cluster));
        foreach (var result in results)
        {
            var reported = Assert.Single(result.Schedules);
            var status = (await cluster.Schedule("sc", result.Schedule!).GetStatusAsync())!;
            Assert.Equal(SchedulerCluster.AdminPrincipal, status.Definition.Owner); // the caller's principal, whatever the script said
            Assert.Equal(status.Definition, reported.Definition);
            Assert.Equal((status.NextRun, status.LastFired, status.CreatedAt, status.UpdatedAt), (reported.NextRun, reported.LastFired, reported.CreatedAt, reported.UpdatedAt));
        }
    }

    private static ScheduleDefinition Definition(string tenant, string name, string cron) =>
        new() { Tenant = tenant, Name = name, Cron = cron, Body = "BEGIN SELECT 1; END" };

    private static ITenantSchedulesGrain Tenant(SchedulerCluster cluster, string tenant) => cluster.Client.GetGrain<ITenantSchedulesGrain>(tenant);

    private static Task AssertWholeAsync(SchedulerCluster cluster, string tenant, string name) =>
        StoredSchedules.AssertIndexedWakeableAsync(cluster, tenant, name);

    private static async Task<long> ScalarAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }

    private static async Task<int> ScheduleActivationsAsync(SchedulerCluster cluster) =>
        (await cluster.Internal.GetGrain<IManagementGrain>(0).GetSimpleGrainStatistics())
            .Where(s => s.GrainType.Contains(nameof(ScheduleGrain), StringComparison.Ordinal))
            .Sum(s => s.ActivationCount);
}
