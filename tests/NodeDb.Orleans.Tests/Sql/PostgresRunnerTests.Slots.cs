using NodeDb.Orleans.Grains.Running;
using NodeDb.Orleans.Tests.Cluster;

namespace NodeDb.Orleans.Tests.Sql;

/// <summary>
/// The cap's slots through a PostgreSQL tenant's writer (<see cref="RunSlot"/>): the run that starts a lane hands its slot
/// to the lane, runs that join its queue free theirs, and a further lane for a stalled one runs on a slot of its own,
/// which it gets only when the silo's caps have one. The pool stands in for the dispatcher's count; the database is real.
/// </summary>
public sealed partial class PostgresRunnerTests
{
    [Fact]
    public async Task Runs_joining_a_lane_free_their_slots_and_a_further_lane_takes_one_of_its_own()
    {
        var host = await HostAsync();
        var pool = new SlotPool(capacity: 2);
        await using var block = await BlockAsync(host, pool.Take(Tenant));
        Assert.Equal(1, pool.Used); // the stalled lane, on the blocked run's slot

        var runs = new List<Task<JobOutcome>>();
        for (var i = 0; i < 6; i++)
        {
            runs.Add(host.Runner.RunAsync(Request($"r-s-{i}", "BEGIN INSERT INTO uniques(k) VALUES (" + i + "); END", retries: 0) with { Slot = pool.Take(Tenant) }, Ct));
            // It joined the lane's queue and gave its slot back at once (2 once the further lane below has started: the
            // stall check may come between two of these calls on a busy machine; without the hand-back this counts up to 7).
            Assert.InRange(pool.Used, 1, 2);
        }

        // The first lane stays stalled on the lock; the second runs the queued group on a slot it took for itself.
        var outcomes = await Task.WhenAll(runs).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.All(outcomes, o => Assert.Equal(RunStatus.Succeeded, o.Status));
        Assert.Equal(1, pool.TakenForLanes);
        await Until.TrueAsync(() => Task.FromResult(pool.Used == 1)); // the second lane stopped and gave its slot back

        await block.ReleaseAsync();
        Assert.Equal(RunStatus.Succeeded, (await block.Run).Status);
        await Until.TrueAsync(() => Task.FromResult(pool.Used == 0));
        Assert.Equal(7L, await pg.ScalarAsync(Database, "SELECT count(*) FROM nodedb.run_ledger"));
    }

    [Fact]
    public async Task A_stalled_lane_gets_no_second_lane_while_the_cap_is_full_and_its_queue_runs_after_it()
    {
        var host = await HostAsync();
        var pool = new SlotPool(capacity: 1);
        await using var block = await BlockAsync(host, pool.Take(Tenant));

        var runs = Enumerable.Range(0, 3)
            .Select(i => host.Runner.RunAsync(Request($"r-f-{i}", "BEGIN INSERT INTO uniques(k) VALUES (" + i + "); END", retries: 0) with { Slot = pool.Take(Tenant) }, Ct))
            .ToList();

        // The writer asks for a further lane and is refused: the cap of one is the stalled lane's.
        await Until.TrueAsync(() => Task.FromResult(pool.Refused >= 2));
        Assert.All(runs, r => Assert.False(r.IsCompleted));
        Assert.Equal(0, pool.TakenForLanes);

        await block.ReleaseAsync();
        var outcomes = await Task.WhenAll(runs).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.All(outcomes, o => Assert.Equal(RunStatus.Succeeded, o.Status));
        await Until.TrueAsync(() => Task.FromResult(pool.Used == 0));
    }
}
