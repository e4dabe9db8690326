using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NodeDb.Orleans.Benchmarks.Measuring;
using NodeDb.Orleans.Grains;
using NodeDb.Orleans.Grains.History;
using NodeDb.Orleans.Grains.Hosting;
using NodeDb.Orleans.Grains.Running;
using NodeDb.Orleans.Grains.Security;
using NodeDb.Orleans.Grains.Sql.Execution;
using NodeDb.Orleans.Security;
using NodeDb.Orleans.Grains.Storage;
using NodeDb.Orleans.Grains.Ticking;
using Orleans;
using Orleans.Hosting;
using Orleans.Storage;

namespace NodeDb.Orleans.Benchmarks.NodeDb;

/// <summary>
/// One real NodeDb.Orleans silo in this process, as the embedded profile builds it (SQLite state, reminders and
/// history in a temporary directory), with every storage operation counted, and either the real SQL job runner
/// (<c>AddNodeDbSql</c>, as src/Silo wires it) or a no-op runner that measures the scheduler alone.
/// </summary>
public sealed class NodeDbSilo : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly string _data;

    private NodeDbSilo(IHost host, string data, StorageCounter counter, LatenessRecorder recorder, LogCounter logs, SqlTarget? target)
    {
        Target = target;
        _host = host;
        _data = data;
        Storage = counter;
        Starts = recorder;
        Logs = logs;
    }

    /// <summary>Where the real runner runs bodies; null with the no-op runner.</summary>
    public SqlTarget? Target { get; }

    /// <summary>Warnings and errors the silo logged.</summary>
    public LogCounter Logs { get; }

    public StorageCounter Storage { get; }

    public LatenessRecorder Starts { get; }

    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    /// <summary>Schedules with a due instant in this silo's tick index.</summary>
    public int Indexed => _host.Services.GetRequiredService<DueIndex>().Count;

    public JobDispatcher Dispatcher => _host.Services.GetRequiredService<JobDispatcher>();

    /// <summary>Ad-hoc SQL against a tenant's database, as <c>nodedb sql</c> sends it (only with a <see cref="SqlTarget"/>).</summary>
    public ITenantSqlExecutor Sql => _host.Services.GetRequiredService<ITenantSqlExecutor>();

    /// <param name="configure">Scheduler options on top of the defaults.</param>
    /// <param name="inMemory">
    /// Diagnostic: Orleans memory grain storage and reminders and no history, instead of the embedded profile's SQLite,
    /// to tell the scheduler's own cost from the storage's.
    /// </param>
    /// <param name="sql">Run bodies with the real <c>SqlJobRunner</c> on this engine; null for the no-op runner.</param>
    public static async Task<NodeDbSilo> StartAsync(Action<SchedulerOptions>? configure = null, bool inMemory = false, SqlTarget? sql = null)
    {
        var data = Directory.CreateTempSubdirectory("nodedb-bench-").FullName;
        var counter = new StorageCounter();
        var recorder = new LatenessRecorder();
        var logs = new LogCounter(Console.Error);
        var (siloPort, gatewayPort) = (FreePort(), FreePort());
        var clusterId = $"bench-{Guid.NewGuid():N}";

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Orleans.Runtime.Silo", LogLevel.Error) // the ServerGC advice
            .AddFilter("Orleans.Runtime.Watchdog", LogLevel.Error); // starvation notes on a shared 2-core machine
        builder.Logging.AddProvider(logs);
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort, gatewayPort, null, clusterId, clusterId);
            if (inMemory)
            {
                silo.AddMemoryGrainStorage(StorageNames.Schedules);
                silo.UseInMemoryReminderService();
                silo.Services.AddSingleton<IHistoryStore>(new CountingHistoryStore(new NullHistoryStore(), counter));
            }
            else
            {
                silo.AddSqliteGrainStorage(StorageNames.Schedules, o => o.DataDirectory = data);
                silo.UseSqliteReminderService(o => o.DataDirectory = data);
                silo.Services.AddSingleton<IHistoryStore>(new CountingHistoryStore(new SqliteHistoryStore(Path.Combine(data, "history.db")), counter));
            }

            if (sql is null)
            {
                silo.Services.AddSingleton<IJobRunner>(new NoOpJobRunner(recorder));
            }
            else
            {
                silo.Services.AddNodeDbSql(o =>
                {
                    o.DataDirectory = data;
                    o.Engine = sql.Engine;
                    o.PostgresConnectionTemplate = sql.PostgresConnectionTemplate;
                });
            }

            silo.AddNodeDbScheduler(configure);

            // The benchmark calls grains from inside the silo (internal calls); a random key satisfies start-up.
            silo.AddNodeDbSecurity(o =>
            {
                o.BootstrapKey = KeyMaterial.NewKey(ApiKeyText.ClusterScope);
                o.ClusterSecret = KeyMaterial.NewSecret() + KeyMaterial.NewSecret();
            });
            Decorate.Keyed<IGrainStorage>(silo.Services, StorageNames.Schedules, inner => new CountingGrainStorage(inner, counter));
            Decorate.Single<IReminderTable>(silo.Services, inner => new CountingReminderTable(inner, counter));
        });

        var host = builder.Build();
        await host.StartAsync();
        return new NodeDbSilo(host, data, counter, recorder, logs, sql);
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _host.StopAsync(stop.Token);
        }
        finally
        {
            _host.Dispose();
            try
            {
                Directory.Delete(_data, recursive: true);
            }
            catch (IOException)
            {
                // A file still held by a pooled SQLite connection; the temp folder is cleaned by the OS.
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
