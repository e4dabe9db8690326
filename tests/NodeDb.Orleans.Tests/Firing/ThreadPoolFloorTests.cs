using Microsoft.Extensions.DependencyInjection;
using NodeDb.Orleans.Grains.Hosting;
using NodeDb.Orleans.Tests.Cluster;

namespace NodeDb.Orleans.Tests.Firing;

/// <summary>
/// A silo raises the thread pool's floor of worker threads at start (SQLite blocks pool threads; with one per core a busy
/// silo starves). The floor is process-wide, so the test reads it as the silo left it.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ThreadPoolFloorTests
{
    [Fact]
    public async Task A_silo_raises_the_worker_thread_floor_to_its_cap_plus_headroom_at_start()
    {
        ThreadPool.GetMinThreads(out var before, out _);
        var cap = before + 7; // above whatever the process has now, so only the silo's start can explain the new floor
        await using var cluster = await SchedulerCluster.StartAsync(silos: 1, configure: o => o.MaxConcurrentJobs = cap);

        ThreadPool.GetMinThreads(out var after, out _);
        Assert.True(after >= cap + ThreadPoolFloor.Headroom, $"floor {after}, expected at least {cap + ThreadPoolFloor.Headroom}");
        Assert.Equal(cap + ThreadPoolFloor.Headroom, ThreadPoolFloor.Target(cluster.SiloServices.Single().GetRequiredService<Microsoft.Extensions.Options.IOptions<SchedulerOptions>>().Value));
    }

    [Fact]
    public void The_floor_is_configurable_and_bad_values_are_refused_by_name()
    {
        Assert.Equal(40, ThreadPoolFloor.Target(new SchedulerOptions { MaxConcurrentJobs = 24 }));
        Assert.Equal(100, ThreadPoolFloor.Target(new SchedulerOptions { MinWorkerThreads = 100 }));
        Assert.Equal(0, ThreadPoolFloor.Target(new SchedulerOptions { MinWorkerThreads = 0 }));

        var error = Assert.ThrowsAny<Exception>(() => new SchedulerOptions { MinWorkerThreads = -1 }.Validate());
        Assert.Contains("MinWorkerThreads = -1", error.Message, StringComparison.Ordinal);
    }
}
