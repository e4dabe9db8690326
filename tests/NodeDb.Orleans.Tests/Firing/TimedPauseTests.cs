using NodeDb.Orleans.Tests.Cluster;

namespace NodeDb.Orleans.Tests.Firing;

/// <summary>A pause with a resume time: occurrences before it are skipped, the schedule resumes by itself at it.</summary>
[Collection(ClusterCollection.Name)]
public sealed class TimedPauseTests
{
    private static readonly DateTimeOffset At1200 = new(2026, 1, 5, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_timed_pause_skips_until_its_resume_time_and_the_occurrence_at_that_instant_fires()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 1);
        await cluster.CreateAsync("t1", "job", "* * * * *");
        var paused = await cluster.Schedule("t1", "job").PauseAsync("alice", "maintenance", At1200.AddMinutes(3));
        Assert.Equal(At1200.AddMinutes(3), paused.Pause!.ResumeAt);
        Assert.Equal(At1200.AddMinutes(3), paused.NextRun); // the first run after the pause

        for (var minute = 1; minute <= 4; minute++)
        {
            await cluster.AdvanceAsync(At1200.AddMinutes(minute) - cluster.Time.GetUtcNow());
        }

        var history = (await cluster.HistoryAsync("t1", "job")).OrderBy(r => r.ScheduledAt).ToList();
        Assert.Equal(
            [RunStatus.Skipped, RunStatus.Skipped, RunStatus.Succeeded, RunStatus.Succeeded],
            history.Select(r => r.Status));
        Assert.StartsWith($"paused by {SchedulerCluster.AdminPrincipal}", history[0].Reason); // the key's principal, not what the caller claimed
        Assert.Equal(At1200.AddMinutes(3), history[2].ScheduledAt);
        Assert.Null((await cluster.Schedule("t1", "job").GetStatusAsync())!.Pause);
    }

    [Fact]
    public async Task A_timed_pause_ends_at_its_time_even_when_nothing_falls_due_then()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 1);
        await cluster.CreateAsync("t1", "hourly", "0 * * * *");
        await cluster.Schedule("t1", "hourly").PauseAsync("alice", "until ten past", At1200.AddMinutes(10));

        Assert.Equal(1, await cluster.AdvanceAsync(At1200.AddMinutes(10) - cluster.Time.GetUtcNow()));
        var status = (await cluster.Schedule("t1", "hourly").GetStatusAsync())!;
        Assert.Null(status.Pause);
        Assert.Equal(At1200.AddHours(1), status.NextRun);
        Assert.Empty(await cluster.HistoryAsync("t1", "hourly"));
    }

    [Fact]
    public async Task A_resume_time_that_is_not_in_the_future_is_refused_and_nothing_is_paused()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 1);
        await cluster.CreateAsync("t1", "job", "* * * * *");
        var past = cluster.Time.GetUtcNow().AddMinutes(-1);
        var error = await Assert.ThrowsAsync<NodeDbException>(() => cluster.Schedule("t1", "job").PauseAsync("alice", "oops", past));
        Assert.Equal(ErrorCodes.InvalidDefinition, error.Code);
        Assert.Contains(past.ToString("O"), error.Message);
        Assert.Null((await cluster.Schedule("t1", "job").GetStatusAsync())!.Pause);
    }
}
