using NodeDb.Orleans.Tests.Cluster;

namespace NodeDb.Orleans.Tests.Firing;

/// <summary>
/// Optimistic concurrency checked by the schedule grain itself, in the turn that writes: an edit that says which version
/// it read is refused when someone changed the schedule since, whichever path it takes (the grain API, or a DDL
/// statement through the SQL session), and changes nothing.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class EditPreconditionTests
{
    [Fact]
    public async Task An_edit_of_a_version_that_is_no_longer_current_is_refused_and_changes_nothing()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 1, sqlRunner: true);
        var read = await cluster.CreateAsync("t1", "job", "0 * * * *");
        cluster.Time.Advance(TimeSpan.FromSeconds(5));
        var theirs = await cluster.Schedule("t1", "job").UpdateAsync(read.Definition with { Cron = "5 * * * *" });

        var refused = await Assert.ThrowsAsync<NodeDbException>(() => EditPrecondition.RunAsync(read.UpdatedAt,
            () => cluster.Schedule("t1", "job").UpdateAsync(read.Definition with { Cron = "10 * * * *" })));
        Assert.Equal(ErrorCodes.EditConflict, refused.Code);
        var sql = await Assert.ThrowsAsync<NodeDbException>(() => EditPrecondition.RunAsync(read.UpdatedAt,
            () => cluster.Client.GetGrain<ISqlSessionGrain>("t1").ExecuteAsync("ALTER SCHEDULE job SET CRON '20 * * * *'", "tester")));
        Assert.Equal(ErrorCodes.EditConflict, sql.Code);
        var drop = await Assert.ThrowsAsync<NodeDbException>(() => EditPrecondition.RunAsync(read.UpdatedAt,
            () => cluster.Schedule("t1", "job").DropAsync()));
        Assert.Equal(ErrorCodes.EditConflict, drop.Code);

        var now = (await cluster.Schedule("t1", "job").GetStatusAsync())!;
        Assert.Equal("5 * * * *", now.Definition.Cron);
        Assert.Equal(theirs.UpdatedAt, now.UpdatedAt);

        // The current version passes, on either path.
        var mine = await EditPrecondition.RunAsync(now.UpdatedAt,
            () => cluster.Schedule("t1", "job").UpdateAsync(now.Definition with { Cron = "30 * * * *" }));
        Assert.Equal("30 * * * *", mine.Definition.Cron);
        cluster.Time.Advance(TimeSpan.FromSeconds(5));
        await EditPrecondition.RunAsync(mine.UpdatedAt,
            () => cluster.Client.GetGrain<ISqlSessionGrain>("t1").ExecuteAsync("ALTER SCHEDULE job SET CRON '40 * * * *'", "tester"));
        Assert.Equal("40 * * * *", (await cluster.Schedule("t1", "job").GetStatusAsync())!.Definition.Cron);
    }
}
