using Microsoft.Extensions.DependencyInjection;
using NodeDb.Orleans.Grains;
using NodeDb.Orleans.Grains.Listing;
using NodeDb.Orleans.Grains.Sql.Execution;
using NodeDb.Orleans.Tests.Cluster;
using NodeDb.Orleans.Tests.Firing;

namespace NodeDb.Orleans.Tests.Client;

/// <summary>
/// The schedule summaries the Schedules list sorts and filters by: kept by the silos hosting the schedules, read in one
/// call per silo, always what each schedule's own status says (next run, last status, paused), through creates, runs,
/// pauses, drops and a silo that lost its entries.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ScheduleSummaryTests
{
    [Fact]
    public async Task Summaries_follow_each_schedules_status_through_runs_pauses_and_drops_on_two_silos()
    {
        // The session grain needs the tenant SQL services; the bodies run in SQLite.
        await using var cluster = await SchedulerCluster.StartAsync(silos: 2, storage: (silo, data) =>
        {
            silo.AddMemoryGrainStorage(StorageNames.Schedules);
            silo.UseInMemoryReminderService();
            silo.Services.AddNodeDbSql(o => o.DataDirectory = data);
        });
        string[] names = ["every-minute", "yearly", "daily", "hourly"];
        await cluster.CreateAsync("t1", "every-minute", "* * * * *");
        await cluster.CreateAsync("t1", "yearly", "0 0 1 1 *");
        await cluster.CreateAsync("t1", "daily", "30 12 * * *");
        await cluster.CreateAsync("t1", "hourly", "15 * * * *");
        await cluster.CreateAsync("t2", "other", "* * * * *");
        var session = cluster.Client.GetGrain<ISqlSessionGrain>("t1");
        await AssertMatchAsync(cluster, names);

        // A run: its last status and the next run move on.
        await cluster.AdvanceAsync(TimeSpan.Zero);
        await cluster.AdvanceAsync(TimeSpan.FromMinutes(1));
        var fired = Assert.Single(await AllAsync(session), s => s.Name == "every-minute");
        Assert.Equal(RunStatus.Succeeded, fired.LastStatus);
        await AssertMatchAsync(cluster, names);

        // A pause: no next run, paused.
        await cluster.Schedule("t1", "daily").PauseAsync("someone", "maintenance");
        var paused = Assert.Single(await AllAsync(session), s => s.Name == "daily");
        Assert.True(paused.Paused);
        Assert.Null(paused.NextRun);
        await AssertMatchAsync(cluster, names);

        // A drop: gone from the list; created again: back.
        Assert.True(await cluster.Schedule("t1", "hourly").DropAsync());
        Assert.DoesNotContain(await AllAsync(session), s => s.Name == "hourly");
        Assert.DoesNotContain(cluster.SiloServices.SelectMany(s => s.GetRequiredService<ScheduleBoard>().Of("t1")), s => s.Name == "hourly");
        await cluster.CreateAsync("t1", "hourly", "45 * * * *");
        await AssertMatchAsync(cluster, names);

        // A silo that lost its entries (restarted, say): those schedules are read from their grains instead.
        foreach (var services in cluster.SiloServices)
        {
            services.GetRequiredService<ScheduleBoard>().Remove("t1", "yearly");
        }

        await AssertMatchAsync(cluster, names, onBoards: false);

        // Paged, searched, filtered and sorted on the silo: by next run (none last), paused only, by name part.
        var byNext = await session.GetSummariesAsync(new ScheduleQuery { Sort = "next", Take = 2 });
        Assert.Equal(4, byNext.Total);
        Assert.Equal(["every-minute", "hourly"], byNext.Items.Select(s => s.Name));
        var rest = await session.GetSummariesAsync(new ScheduleQuery { Sort = "next", Skip = 2, Take = 2 });
        Assert.Equal(["yearly", "daily"], rest.Items.Select(s => s.Name));
        Assert.Equal(["daily"], (await session.GetSummariesAsync(new ScheduleQuery { Filter = "paused" })).Items.Select(s => s.Name));
        Assert.Equal(["daily", "hourly", "yearly"], (await session.GetSummariesAsync(new ScheduleQuery { Search = "LY" })).Items.Select(s => s.Name));
        var bad = await Assert.ThrowsAsync<NodeDbException>(() => session.GetSummariesAsync(new ScheduleQuery { Sort = "size" }));
        Assert.Equal(ErrorCodes.InvalidDefinition, bad.Code);
        Assert.Contains("'size'", bad.Message, StringComparison.Ordinal);

        // Only the tenant's own schedules.
        Assert.Equal(["other"], (await AllAsync(cluster.Client.GetGrain<ISqlSessionGrain>("t2"))).Select(s => s.Name));
    }

    private static async Task<IReadOnlyList<ScheduleSummary>> AllAsync(ISqlSessionGrain session) =>
        (await session.GetSummariesAsync(new ScheduleQuery { Take = ScheduleQuery.MaxTake })).Items;

    private static async Task AssertMatchAsync(SchedulerCluster cluster, string[] names, bool onBoards = true)
    {
        if (onBoards)
        {
            // Answered from the silos' boards, not by reading each schedule (which would match trivially).
            var boarded = cluster.SiloServices.SelectMany(s => s.GetRequiredService<ScheduleBoard>().Of("t1")).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
            Assert.All(names, n => Assert.Contains(n, boarded));
        }

        var summaries = (await AllAsync(cluster.Client.GetGrain<ISqlSessionGrain>("t1"))).ToDictionary(s => s.Name, StringComparer.Ordinal);
        Assert.Equal(names.Order(StringComparer.Ordinal), summaries.Keys.Order(StringComparer.Ordinal));
        foreach (var name in names)
        {
            var status = (await cluster.Schedule("t1", name).GetStatusAsync())!;
            var summary = summaries[name];
            Assert.Equal((status.NextRun, status.LastStatus, status.Paused), (summary.NextRun, summary.LastStatus, summary.Paused));
        }
    }
}
