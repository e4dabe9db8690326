using Microsoft.Extensions.DependencyInjection;
using NodeDb.Orleans.Grains.Storage;
using Orleans.Hosting;
using Orleans.Storage;
using Orleans.TestingHost;

namespace NodeDb.Orleans.Tests.Storage;

/// <summary>
/// The whole cluster stops and a new one starts on the same data directory: grain state and reminders
/// must come back from the SQLite file alone.
/// </summary>
[Collection(nameof(SqliteClusterRestartTests))]
public sealed class SqliteClusterRestartTests : IDisposable
{
    public const string StorageName = "sqlite";
    private static readonly TimeSpan FailureGuard = TimeSpan.FromSeconds(60);

    private readonly TempDataDirectory _dir = new();
    // Reminder rows are keyed by ServiceId: fixed for both runs of a test, random across tests.
    private readonly string _serviceId = "nodedb-storage-" + Guid.NewGuid().ToString("N");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Grain_state_survives_a_full_cluster_restart()
    {
        var key = Guid.NewGuid().ToString("N");
        await using (var first = await StartClusterAsync())
        {
            var grain = first.Client.GetGrain<IStorageProbeGrain>(key);
            await grain.IncrementAsync();
            Assert.Equal(2, await grain.IncrementAsync());
            await first.StopAllSilosAsync(TestContext.Current.CancellationToken);
        }

        await using var second = await StartClusterAsync();
        var again = second.Client.GetGrain<IStorageProbeGrain>(key);

        Assert.Equal(2, (await again.GetAsync()).Value);
        Assert.Equal(3, await again.IncrementAsync());
    }

    [Fact]
    public async Task A_write_behind_the_grains_back_makes_its_next_write_conflict_and_the_call_after_reload()
    {
        await using var cluster = await StartClusterAsync();
        var grain = cluster.Client.GetGrain<IStorageProbeGrain>(Guid.NewGuid().ToString("N"));
        await grain.IncrementAsync();

        // The silo resolves the provider by name, as [PersistentState(..., "sqlite")] does.
        var storage = cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(StorageName);
        var behind = new GrainState<StorageProbeState>(new StorageProbeState());
        await storage.ReadStateAsync("probe", grain.GetGrainId(), behind);
        behind.State!.Value = 100;
        await storage.WriteStateAsync("probe", grain.GetGrainId(), behind);

        await Assert.ThrowsAnyAsync<InconsistentStateException>(() => grain.IncrementAsync());
        Assert.Equal(101, await grain.IncrementAsync());
    }

    [Fact]
    public async Task A_reminder_registered_before_a_full_restart_fires_in_the_new_cluster()
    {
        var key = Guid.NewGuid().ToString("N");
        await using (var first = await StartClusterAsync())
        {
            var grain = first.Client.GetGrain<IStorageProbeGrain>(key);
            await grain.IncrementAsync();
            await grain.StartReminderAsync(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
            await first.StopAllSilosAsync(TestContext.Current.CancellationToken);
        }

        // Only ticks from the second cluster count: the waiter exists from here on, and nothing in the
        // second cluster touches the grain, so only the persisted reminder can activate it.
        var ticked = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        StorageProbeGrain.ReminderTicked[key] = ticked;
        try
        {
            await using var second = await StartClusterAsync();
            var valueSeenByReminder = await ticked.Task.WaitAsync(FailureGuard, TestContext.Current.CancellationToken);

            Assert.Equal(1, valueSeenByReminder);
        }
        finally
        {
            StorageProbeGrain.ReminderTicked.TryRemove(key, out _);
        }
    }

    private async Task<InProcessTestCluster> StartClusterAsync()
    {
        var dataDirectory = _dir.Path;
        var builder = new InProcessTestClusterBuilder(2);
        builder.Options.ServiceId = _serviceId;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddSqliteGrainStorage(StorageName, o => o.DataDirectory = dataDirectory);
            silo.UseSqliteReminderService(o => o.DataDirectory = dataDirectory);
            silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
        });
        var cluster = builder.Build();
        await cluster.DeployAsync(TestContext.Current.CancellationToken);
        return cluster;
    }
}
