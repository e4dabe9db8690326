using Microsoft.Extensions.DependencyInjection;
using NodeDb.Orleans.Grains;
using NodeDb.Orleans.Grains.Sql.Execution;
using NodeDb.Orleans.Tests.Cluster;
using NodeDb.Orleans.Tests.Firing;

namespace NodeDb.Orleans.Tests.Client;

/// <summary>The per-tenant limits on CREATE and ALTER, each refusal naming its limit, whichever way the call comes.</summary>
[Collection(ClusterCollection.Name)]
public sealed class SessionLimitTests
{
    private const string Body = "BEGIN SELECT 1; END";

    private static Task<SchedulerCluster> StartAsync() => SchedulerCluster.StartAsync(
        silos: 1,
        configure: o =>
        {
            o.MaxSchedulesPerTenant = 2;
            o.MinimumInterval = TimeSpan.FromMinutes(5);
        },
        storage: (silo, data) =>
        {
            silo.AddMemoryGrainStorage(StorageNames.Schedules);
            silo.UseInMemoryReminderService();
            silo.Services.AddNodeDbSql(o => o.DataDirectory = data);
        });

    [Fact]
    public async Task Schedules_per_tenant_and_the_minimum_interval_are_enforced_with_their_names()
    {
        await using var cluster = await StartAsync();
        var acme = cluster.Client.GetGrain<ISqlSessionGrain>("acme");
        await acme.ExecuteAsync($"CREATE SCHEDULE a CRON '0 * * * *' AS {Body}", "alice");
        await acme.ExecuteAsync($"CREATE SCHEDULE b CRON '0 * * * *' AS {Body}", "alice");

        var third = await Assert.ThrowsAsync<NodeDbException>(() => acme.ExecuteAsync($"CREATE SCHEDULE c CRON '0 * * * *' AS {Body}", "alice"));
        var replaced = await acme.ExecuteAsync($"CREATE OR REPLACE SCHEDULE b CRON '30 * * * *' AS {Body}", "alice");
        var otherTenant = await cluster.Client.GetGrain<ISqlSessionGrain>("other").ExecuteAsync($"CREATE SCHEDULE c CRON '0 * * * *' AS {Body}", "bob");
        var tooOften = await Assert.ThrowsAsync<NodeDbException>(() =>
            cluster.Client.GetGrain<ISqlSessionGrain>("other").ExecuteAsync($"CREATE SCHEDULE d CRON '*/1 * * * *' AS {Body}", "bob"));
        var alteredTooOften = await Assert.ThrowsAsync<NodeDbException>(() => acme.ExecuteAsync("ALTER SCHEDULE a SET CRON '*/2 * * * *'", "alice"));

        Assert.Equal(ErrorCodes.InvalidDefinition, third.Code);
        Assert.Contains("Scheduler:MaxSchedulesPerTenant = 2", third.Message, StringComparison.Ordinal);
        Assert.True(Assert.Single(replaced).Changed);
        Assert.True(Assert.Single(otherTenant).Changed);
        Assert.Contains("Scheduler:MinimumInterval = 00:05:00", tooOften.Message, StringComparison.Ordinal);
        Assert.Contains("60 s apart", tooOften.Message, StringComparison.Ordinal);
        Assert.Contains("Scheduler:MinimumInterval", alteredTooOften.Message, StringComparison.Ordinal);
        Assert.Equal("0 * * * *", (await cluster.Schedule("acme", "a").GetStatusAsync())!.Definition.Cron);
    }

    [Fact]
    public async Task A_client_calling_the_schedule_grain_directly_meets_the_same_limits()
    {
        await using var cluster = await StartAsync();
        await cluster.CreateAsync("acme", "a", "0 * * * *");
        await cluster.CreateAsync("acme", "b", "0 * * * *");

        // Not through the session grain: IScheduleGrain is public to a tenant's admin, so the grain must check itself.
        var third = await Assert.ThrowsAsync<NodeDbException>(() => cluster.CreateAsync("acme", "c", "0 * * * *"));
        var tooOften = await Assert.ThrowsAsync<NodeDbException>(() => cluster.CreateAsync("other", "d", "*/1 * * * *"));
        var status = (await cluster.Schedule("acme", "a").GetStatusAsync())!;
        var alteredTooOften = await Assert.ThrowsAsync<NodeDbException>(() => cluster.Schedule("acme", "a").UpdateAsync(status.Definition with { Cron = "*/2 * * * *" }));

        Assert.Contains("Scheduler:MaxSchedulesPerTenant = 2", third.Message, StringComparison.Ordinal);
        Assert.Contains("Scheduler:MinimumInterval = 00:05:00", tooOften.Message, StringComparison.Ordinal);
        Assert.Contains("Scheduler:MinimumInterval", alteredTooOften.Message, StringComparison.Ordinal);
        Assert.Null(await cluster.Schedule("acme", "c").GetStatusAsync());
        Assert.Equal("0 * * * *", (await cluster.Schedule("acme", "a").GetStatusAsync())!.Definition.Cron);
    }
}
