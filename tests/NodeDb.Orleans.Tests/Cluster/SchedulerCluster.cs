using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NodeDb.Orleans.Grains;
using NodeDb.Orleans.Grains.History;
using NodeDb.Orleans.Grains.Hosting;
using NodeDb.Orleans.Grains.Running;
using NodeDb.Orleans.Grains.Sql.Execution;
using NodeDb.Orleans.Grains.Storage;
using NodeDb.Orleans.Grains.Ticking;
using NodeDb.Orleans.Security;
using NodeDb.Orleans.Tests.Security;
using Orleans.TestingHost;

namespace NodeDb.Orleans.Tests.Cluster;

/// <summary>
/// An in-process cluster whose schedule time is a <see cref="FakeTimeProvider"/> and whose ticks are driven by the test:
/// advance the clock, tick every silo, wait for the runs to finish — no sleeps, exact counts.
/// </summary>
public sealed class SchedulerCluster : IAsyncDisposable
{
    public static readonly DateTimeOffset Epoch = new(2026, 1, 5, 12, 0, 30, TimeSpan.Zero);

    private readonly string _dataDirectory;

    private SchedulerCluster(InProcessTestCluster cluster, FakeTimeProvider time, IJobRunner? runner, string dataDirectory)
    {
        Cluster = cluster;
        Time = time;
        Runner = runner;
        _dataDirectory = dataDirectory;
    }

    public InProcessTestCluster Cluster { get; }

    public FakeTimeProvider Time { get; }

    /// <summary>The scripted runner, or null when the silos run bodies with the real SQL runner.</summary>
    public IJobRunner? Runner { get; }

    public ScriptedJobRunner Scripted => (ScriptedJobRunner)Runner!;

    /// <summary>The test's client: presents the cluster-admin key, like any client, and reaches public methods only.</summary>
    public IClusterClient Client => Cluster.Client;

    /// <summary>
    /// The first silo's own grain factory: its calls are the silo's (internal), for tests that play the part of the
    /// silo itself (a reminder, a wake poke, the management grain) — what no client may do.
    /// </summary>
    public IGrainFactory Internal => SiloServices.First().GetRequiredService<IGrainFactory>();

    public string DataDirectory => _dataDirectory;

    public IEnumerable<IServiceProvider> SiloServices =>
        Cluster.Silos.Select(s => Cluster.GetSiloServiceProvider(s.SiloAddress));

    /// <summary>Grain state and reminders in SQLite files under the cluster's data directory (the embedded profile's providers).</summary>
    public static void SqliteStorage(ISiloBuilder silo, string data)
    {
        silo.AddSqliteGrainStorage(StorageNames.Schedules, o => o.DataDirectory = data);
        silo.UseSqliteReminderService(o => o.DataDirectory = data);
    }

    public static async Task<SchedulerCluster> StartAsync(
        short silos = 2,
        Action<SchedulerOptions>? configure = null,
        IJobRunner? runner = null,
        Action<ISiloBuilder, string>? storage = null,
        DateTimeOffset? start = null,
        bool sqlRunner = false,
        IHistoryStore? historyStore = null)
    {
        var time = new FakeTimeProvider(start ?? Epoch);
        var data = Directory.CreateTempSubdirectory("nodedb-test-").FullName;
        runner ??= sqlRunner ? null : new ScriptedJobRunner();
        var history = historyStore ?? new SqliteHistoryStore(Path.Combine(data, "history.db"));
        var builder = new InProcessTestClusterBuilder(silos);
        builder.ConfigureSilo((_, silo) =>
        {
            if (storage is null)
            {
                silo.AddMemoryGrainStorage(StorageNames.Schedules);
                silo.UseInMemoryReminderService();
            }
            else
            {
                storage(silo, data);
            }

            silo.Services.AddSingleton(new SchedulerClock(time));
            if (runner is null)
            {
                silo.Services.AddNodeDbSql(o => o.DataDirectory = data);
            }
            else
            {
                silo.Services.AddSingleton(runner);
            }

            silo.Services.AddSingleton<IHistoryStore>(history);
            silo.AddNodeDbScheduler(o =>
            {
                o.AutoTick = false;
                // Fake-clock tests fire at the instant; arming ahead has its own tests (ArmAheadTests).
                o.ArmAhead = TimeSpan.Zero;
                // Exact tests read history right after the runs drain: a schedule waits for its append as it did before
                // the background append existed (HistoryWaitTests covers the shipped 200 ms).
                o.HistoryWait = TimeSpan.FromSeconds(60);
                configure?.Invoke(o);
            });
            silo.AddTestSecurity();
        });
        builder.ConfigureClient(c => c.PresentKey());
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new SchedulerCluster(cluster, time, runner, data);
    }

    /// <summary>The principal of the cluster-admin key the test client presents: the owner of what tests create.</summary>
    public const string AdminPrincipal = "cluster-admin";

    /// <summary>Creates a key through the public key API (as the cluster admin) and returns its text.</summary>
    public async Task<string> KeyAsync(string scope, string principal, ApiKeyRole role, DateTimeOffset? expiresAt = null) =>
        (await Client.GetGrain<IApiKeysGrain>(scope).CreateAsync(principal, role, expiresAt)).Key;

    public IScheduleGrain Schedule(string tenant, string name) => Client.GetGrain<IScheduleGrain>(ScheduleKey.Of(tenant, name));

    public IJobHistoryGrain History(string tenant) => Client.GetGrain<IJobHistoryGrain>(tenant);

    public Task<ScheduleStatus> CreateAsync(string tenant, string name, string cron, Func<ScheduleDefinition, ScheduleDefinition>? adjust = null)
    {
        var definition = new ScheduleDefinition { Tenant = tenant, Name = name, Cron = cron, Body = "BEGIN SELECT 1; END" };
        return Schedule(tenant, name).CreateAsync(adjust is null ? definition : adjust(definition));
    }

    /// <summary>Ticks every silo once at the current fake time; returns how many grains were poked in all.</summary>
    public async Task<int> TickAsync()
    {
        var poked = 0;
        foreach (var services in SiloServices)
        {
            poked += await services.GetRequiredService<SchedulerTickService>().TickOnceAsync();
        }

        return poked;
    }

    /// <summary>Waits until no run is in flight on any silo (runs started by completions included).</summary>
    public async Task DrainAsync()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        bool busy;
        do
        {
            foreach (var services in SiloServices)
            {
                await services.GetRequiredService<JobDispatcher>().WhenIdleAsync(guard.Token);
            }

            busy = SiloServices.Any(s => s.GetRequiredService<JobDispatcher>().InFlight > 0);
        }
        while (busy);
    }

    /// <summary>Moves the fake clock, ticks every silo, and waits for the runs that started.</summary>
    public async Task<int> AdvanceAsync(TimeSpan step)
    {
        Time.Advance(step);
        var poked = await TickAsync();
        await DrainAsync();
        return poked;
    }

    public async Task<IReadOnlyList<RunRecord>> HistoryAsync(string tenant, string schedule, RunStatus? status = null) =>
        await History(tenant).QueryAsync(new HistoryQuery { Schedule = schedule, Status = status, Limit = 10_000 });

    public async ValueTask DisposeAsync()
    {
        if (Runner is ScriptedJobRunner scripted)
        {
            foreach (var request in scripted.Requests)
            {
                scripted.Release(request.Schedule);
            }
        }

        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a pooled SQLite connection; the temp folder is cleaned by the OS.
        }
    }
}
