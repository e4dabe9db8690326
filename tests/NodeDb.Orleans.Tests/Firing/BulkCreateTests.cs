using Microsoft.Extensions.DependencyInjection;
using NodeDb.Orleans.Grains;
using NodeDb.Orleans.Grains.Recovery;
using NodeDb.Orleans.Tests.Cluster;
using NodeDb.Orleans.Tests.Recovery;

namespace NodeDb.Orleans.Tests.Firing;

/// <summary>
/// Creating many schedules at once (issue 13): the per-tenant limit holds exactly under concurrent creates, a create
/// that fails part-way leaves no schedule that nothing lists or wakes, and the bulk API and a DDL script of CREATEs
/// create every schedule whole.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class BulkCreateTests
{
    private const string Yearly = "0 0 1 1 *";

    [Fact]
    public async Task Concurrent_creates_on_two_silos_stop_exactly_at_the_tenant_limit()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 2, configure: o => o.MaxSchedulesPerTenant = 7);

        var attempts = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
        {
            try
            {
                await cluster.CreateAsync("lim", $"s{i:D2}", Yearly);
                return null;
            }
            catch (NodeDbException e)
            {
                return e;
            }
        }));

        var refused = attempts.OfType<NodeDbException>().ToList();
        Assert.Equal(33, refused.Count);
        Assert.All(refused, e => Assert.Contains("at most 7 are allowed (limit Scheduler:MaxSchedulesPerTenant = 7)", e.Message, StringComparison.Ordinal));
        var listed = await cluster.Client.GetGrain<ITenantSchedulesGrain>("lim").ListAsync();
        Assert.Equal(7, listed.Length);
        var created = Enumerable.Range(0, 40).Where(i => attempts[i] is null).Select(i => $"s{i:D2}").ToList();
        Assert.Equal(created.Order(StringComparer.Ordinal), listed);
        foreach (var name in created)
        {
            Assert.NotNull(await cluster.Schedule("lim", name).GetStatusAsync());
        }

        // A drop frees exactly one slot.
        Assert.True(await cluster.Schedule("lim", created[0]).DropAsync());
        await cluster.CreateAsync("lim", "again", Yearly);
        await Assert.ThrowsAsync<NodeDbException>(() => cluster.CreateAsync("lim", "one-too-many", Yearly));
    }

    [Fact]
    public async Task The_bulk_api_creates_each_definition_whole_refuses_the_bad_ones_alone_and_holds_the_limit()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 2, configure: o => o.MaxSchedulesPerTenant = 30);
        await cluster.CreateAsync("bulk", "exists", Yearly);
        var definitions = Enumerable.Range(0, 40)
            .Select(i => new ScheduleDefinition { Tenant = "bulk", Name = $"b{i:D2}", Cron = Yearly, Body = "BEGIN SELECT 1; END" })
            .Concat(
            [
                new ScheduleDefinition { Tenant = "bulk", Name = "exists", Cron = Yearly, Body = "BEGIN SELECT 1; END" },
                new ScheduleDefinition { Tenant = "bulk", Name = "badcron", Cron = "61 * * * *", Body = "BEGIN SELECT 1; END" },
                new ScheduleDefinition { Tenant = "other", Name = "elsewhere", Cron = Yearly, Body = "BEGIN SELECT 1; END" },
            ]).ToList();

        var results = await cluster.Client.GetGrain<ITenantSchedulesGrain>("bulk").CreateManyAsync([.. definitions]);

        Assert.Equal(definitions.Select(d => d.Name), results.Select(r => r.Name));
        Assert.Equal(29, results.Count(r => r.Created)); // 30 allowed, one taken before
        Assert.Equal(11, results.Count(r => r.ErrorCode == ErrorCodes.InvalidDefinition && r.Error!.Contains("MaxSchedulesPerTenant = 30", StringComparison.Ordinal)));
        Assert.Equal(ErrorCodes.AlreadyExists, results.Single(r => r.Name == "exists").ErrorCode);
        Assert.Equal(ErrorCodes.InvalidCron, results.Single(r => r.Name == "badcron").ErrorCode);
        Assert.Contains("names tenant 'other'", results.Single(r => r.Name == "elsewhere").Error, StringComparison.Ordinal);
        Assert.Null(await cluster.Client.GetGrain<IScheduleGrain>(ScheduleKey.Of("other", "elsewhere")).GetStatusAsync());

        var listed = await cluster.Client.GetGrain<ITenantSchedulesGrain>("bulk").ListAsync();
        Assert.Equal(results.Where(r => r.Created).Select(r => r.Name).Append("exists").Order(StringComparer.Ordinal), listed);
        foreach (var name in results.Where(r => r.Created).Select(r => r.Name))
        {
            var status = await cluster.Schedule("bulk", name).GetStatusAsync();
            Assert.Equal(SchedulerCluster.AdminPrincipal, status!.Definition.Owner); // the caller's principal, whatever was sent
            Assert.Contains(ScheduleKey.Of("bulk", name), await StoredSchedules.WakeKeysAsync(cluster, "bulk", name));
        }
    }

    [Fact]
    public async Task A_bulk_create_under_the_limit_reserves_its_names_per_bucket_and_gives_back_the_names_of_refused_definitions()
    {
        var faults = new StorageFaults();
        await using var cluster = await StoredSchedules.StartSqliteAsync(faults);
        var definitions = Enumerable.Range(0, 200)
            .Select(i => new ScheduleDefinition { Tenant = "res", Name = $"r{i:D3}", Cron = i % 10 == 0 ? "61 * * * *" : Yearly, Body = "BEGIN SELECT 1; END" })
            .ToList();

        var results = await cluster.Client.GetGrain<ITenantSchedulesGrain>("res").CreateManyAsync([.. definitions]);

        // 20 bad crons refused; their names, reserved with the others before the creates, are given back.
        Assert.Equal(180, results.Count(r => r.Created));
        Assert.All(results.Where(r => !r.Created), r => Assert.Equal(ErrorCodes.InvalidCron, r.ErrorCode));
        var listed = await cluster.Client.GetGrain<ITenantSchedulesGrain>("res").ListAsync();
        Assert.Equal(results.Where(r => r.Created).Select(r => r.Name).Order(StringComparer.Ordinal), listed);
        foreach (var name in results.Where(r => r.Created).Take(5).Select(r => r.Name))
        {
            await AssertWholeAsync(cluster, "res", name);
        }

        // Once per bucket and call, not once per name: the 200 names went into at most 64 bucket segment writes, and the 20
        // releases into a few more (one write per name, as before, made about 200).
        var bucketWrites = faults.Writes((state, key) => state.StartsWith("tenant-schedules.", StringComparison.Ordinal) && key.StartsWith("res#", StringComparison.Ordinal));
        Assert.InRange(bucketWrites, 1, 64 + 20);
    }

    [Theory]
    [InlineData("wake")]
    [InlineData("wake.0")]
    [InlineData("tenant-schedules")]
    [InlineData("tenant-schedules.0")]
    public async Task A_create_whose_index_or_wake_write_fails_leaves_no_schedule_and_a_retry_creates_it_whole(string failingState)
    {
        // The shard's or bucket's own row (its segment count, written first for a new segment) or the segment itself.
        var faults = new StorageFaults();
        await using var cluster = await StoredSchedules.StartSqliteAsync(faults);
        var key = ScheduleKey.Of("crash", "victim");
        faults.Fail(failingState, failingState.StartsWith("wake", StringComparison.Ordinal) ? WakeShards.ShardOf(key) : $"crash#{Bucket("victim")}", times: 1);

        await Assert.ThrowsAnyAsync<Exception>(() => cluster.CreateAsync("crash", "victim", Yearly));

        // Nothing half-created: no stored schedule that the index does not list or the wake registry does not hold.
        Assert.Equal(1, faults.Failed);
        Assert.Null(await cluster.Schedule("crash", "victim").GetStatusAsync());
        Assert.DoesNotContain("victim", await cluster.Client.GetGrain<ITenantSchedulesGrain>("crash").ListAsync());

        await cluster.CreateAsync("crash", "victim", Yearly);
        await AssertWholeAsync(cluster, "crash", "victim");
    }

    [Fact]
    public async Task A_create_whose_state_write_fails_leaves_no_schedule_and_a_retry_creates_it_whole()
    {
        var faults = new StorageFaults();
        await using var cluster = await StoredSchedules.StartSqliteAsync(faults);
        faults.Fail("schedule", ScheduleKey.Of("crash", "victim"), times: 1);

        await Assert.ThrowsAnyAsync<Exception>(() => cluster.CreateAsync("crash", "victim", Yearly));
        Assert.Null(await cluster.Schedule("crash", "victim").GetStatusAsync());

        // After a state write that failed without saying whether it landed, the name stays reserved (never a stored
        // schedule that no index lists); a DROP of the schedule that does not exist clears that stray name.
        var index = cluster.Client.GetGrain<ITenantSchedulesGrain>("crash");
        Assert.Contains("victim", await index.ListAsync());
        Assert.False(await cluster.Schedule("crash", "victim").DropAsync());
        Assert.DoesNotContain("victim", await index.ListAsync());

        await cluster.CreateAsync("crash", "victim", Yearly);
        await AssertWholeAsync(cluster, "crash", "victim");
    }

    [Fact]
    public async Task A_script_of_creates_runs_them_side_by_side_and_names_every_statement_that_took_effect_after_a_failure()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 1, sqlRunner: true);
        var session = cluster.Client.GetGrain<ISqlSessionGrain>("ddl");
        var script = string.Concat(Enumerable.Range(0, 200).Select(i => $"CREATE SCHEDULE d{i:D3} CRON '{Yearly}' AS BEGIN SELECT 1; END;\n"));

        var results = await session.ExecuteAsync(script, "someone");

        Assert.Equal(200, results.Length);
        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"d{i:D3}"), results.Select(r => r.Schedule));
        Assert.Equal(200, (await cluster.Client.GetGrain<ITenantSchedulesGrain>("ddl").ListAsync()).Length);

        // Statement 3 names an existing schedule: the error says which statement failed and which ones took effect.
        var error = await Assert.ThrowsAsync<NodeDbException>(() => session.ExecuteAsync(
            "CREATE SCHEDULE e1 CRON '0 0 1 1 *' AS BEGIN SELECT 1; END; CREATE SCHEDULE e2 CRON '0 0 1 1 *' AS BEGIN SELECT 1; END; " +
            "CREATE SCHEDULE d000 CRON '0 0 1 1 *' AS BEGIN SELECT 1; END; CREATE SCHEDULE e4 CRON '0 0 1 1 *' AS BEGIN SELECT 1; END;",
            "someone"));
        Assert.Equal(ErrorCodes.AlreadyExists, error.Code);
        Assert.StartsWith("Statement 3 of 4 failed (the 2 statements before it took effect; statement 4, run alongside it, took effect too)", error.Message, StringComparison.Ordinal);
        Assert.NotNull(await cluster.Schedule("ddl", "e4").GetStatusAsync());
    }

    [Fact]
    public async Task A_script_reserves_its_names_per_bucket_and_a_failure_gives_back_the_names_of_statements_that_did_not_take_effect()
    {
        var faults = new StorageFaults();
        await using var cluster = await StoredSchedules.StartSqliteAsync(faults, sqlRunner: true);
        var session = cluster.Client.GetGrain<ISqlSessionGrain>("scr");
        var script = string.Concat(Enumerable.Range(0, 200).Select(i => $"CREATE SCHEDULE s{i:D3} CRON '{Yearly}' AS BEGIN SELECT 1; END;\n"));

        Assert.Equal(200, (await session.ExecuteAsync(script, "someone")).Length);
        var bucketWrites = faults.Writes((state, key) => state.StartsWith("tenant-schedules.", StringComparison.Ordinal) && key.StartsWith("scr#", StringComparison.Ordinal));
        Assert.InRange(bucketWrites, 1, 64); // one write per name made about 200

        // Statement 11 of 300 is refused: the statements that never started, and the refused one, leave no name behind.
        var failing = string.Concat(Enumerable.Range(0, 300).Select(i =>
            $"CREATE SCHEDULE f{i:D3} CRON '{(i == 10 ? "61 * * * *" : Yearly)}' AS BEGIN SELECT 1; END;\n"));
        var error = await Assert.ThrowsAsync<NodeDbException>(() => session.ExecuteAsync(failing, "someone"));
        Assert.Equal(ErrorCodes.InvalidCron, error.Code);
        var listed = (await cluster.Client.GetGrain<ITenantSchedulesGrain>("scr").ListAsync()).Where(n => n.StartsWith('f')).ToList();
        Assert.InRange(listed.Count, 10, 298);
        Assert.DoesNotContain("f010", listed);
        foreach (var name in Enumerable.Range(0, 300).Select(i => $"f{i:D3}"))
        {
            Assert.Equal(listed.Contains(name), await cluster.Schedule("scr", name).GetStatusAsync() is not null);
        }
    }

    private static async Task AssertWholeAsync(SchedulerCluster cluster, string tenant, string name)
    {
        Assert.NotNull(await cluster.Schedule(tenant, name).GetStatusAsync());
        await StoredSchedules.AssertIndexedWakeableAsync(cluster, tenant, name);
    }

    private static long Bucket(string name) => Grains.Health.ShardRouting.StableHash(name) % Grains.Schedules.TenantSchedulesGrain.BucketCount;
}
