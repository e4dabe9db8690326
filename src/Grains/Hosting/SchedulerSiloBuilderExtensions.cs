using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using NodeDb.Orleans.Grains.Diagnostics;
using NodeDb.Orleans.Grains.Health;
using NodeDb.Orleans.Grains.History;
using NodeDb.Orleans.Grains.Placement;
using NodeDb.Orleans.Grains.Recovery;
using NodeDb.Orleans.Grains.Running;
using NodeDb.Orleans.Grains.Security;
using NodeDb.Orleans.Grains.Ticking;
using Orleans.Configuration;

namespace NodeDb.Orleans.Grains.Hosting;

/// <summary>Adds the scheduler to a silo: tick service, dispatcher, clock, metrics and placement. Idempotent.</summary>
public static class SchedulerSiloBuilderExtensions
{
    /// <summary>How often a silo publishes its load statistics; Orleans' default is 1 s.</summary>
    public static readonly TimeSpan IdleStatisticsPeriod = TimeSpan.FromSeconds(5);

    /// <remarks>
    /// The profile must also register grain storage named <see cref="StorageNames.Schedules"/>, a reminder service,
    /// an <see cref="IJobRunner"/> and an <see cref="IHistoryStore"/>.
    /// </remarks>
    public static ISiloBuilder AddNodeDbScheduler(this ISiloBuilder builder, Action<SchedulerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<SchedulerOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        if (services.Any(d => d.ServiceType == typeof(SchedulerTickService)))
        {
            return builder;
        }

        // Orleans' default directory deactivates, on every silo, the activations whose registration a stopping silo
        // held (DirectoryFailure): a third of all schedules at each stop of a 3-silo cluster. The strongly consistent
        // in-cluster directory hands its ranges over instead.
#pragma warning disable ORLEANSEXP003
        builder.AddDistributedGrainDirectory();
#pragma warning restore ORLEANSEXP003

        options.Validate(o =>
        {
            o.Validate();
            return true;
        }).ValidateOnStart();
        services.AddMetrics();

        // Orleans publishes every silo's load statistics to every other silo once a second (for resource-optimized
        // placement): the largest periodic cost of an idle silo, and N² messages a second in a cluster. Schedules
        // place themselves (SiloTargetedPlacement for local runs) or by hash; statistics five seconds old place as well.
        services.Configure<global::Orleans.Configuration.DeploymentLoadPublisherOptions>(o => o.DeploymentLoadPublisherRefreshTime = IdleStatisticsPeriod);
        services.TryAddSingleton(new SchedulerClock(TimeProvider.System));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<SchedulerSettings>();
        services.AddSingleton<DueIndex>();
        services.AddSingleton<HealthGate>();
        services.AddSingleton<SchedulerInstruments>();
        services.AddSingleton<ThreadPoolFloor>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<ThreadPoolFloor>());
        services.AddSingleton<SchedulerGauges>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<SchedulerGauges>());
        services.AddSingleton<JobDispatcher>();
        services.AddSingleton<SchedulerTickService>();
        services.AddSingleton<Listing.ScheduleBoard>();
        services.AddSingleton<Schedules.BulkScheduleWriter>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<SchedulerTickService>());
        services.AddPlacementDirector<SiloTargetedPlacement, SiloTargetedPlacementDirector>();

        // Fast failover: survivors wake a dead silo's schedules from the wake registry (src/Grains/Recovery).
        services.AddSingleton<FailoverWatcher>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<FailoverWatcher>());

        // Graceful stop: hand schedules and armed runs to the silos that remain before this one stops firing.
        services.AddSingleton<ShutdownHandOff>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<ShutdownHandOff>());

        // Every silo that runs the scheduler enforces keys: there is no way to start one without the filter.
        builder.AddNodeDbSecurity();
        return builder;
    }

    /// <summary>Keeps history in a SQLite file (the embedded profile).</summary>
    public static ISiloBuilder AddSqliteHistoryStore(this ISiloBuilder builder, string path)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<IHistoryStore>(_ => new SqliteHistoryStore(path));
        return builder;
    }

    /// <summary>Keeps history in an Azure Table (the azure profile); see <see cref="AzureTableHistoryStore"/> for the layout.</summary>
    public static ISiloBuilder AddAzureTableHistoryStore(
        this ISiloBuilder builder, TableServiceClient tables, string tableName = AzureTableHistoryStore.DefaultTableName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(tables);
        builder.Services.TryAddSingleton<IHistoryStore>(sp =>
            new AzureTableHistoryStore(tables, sp.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId, tableName));
        return builder;
    }

    /// <summary>Keeps history in an Azure Table of the storage account <paramref name="connectionString"/> names.</summary>
    public static ISiloBuilder AddAzureTableHistoryStore(
        this ISiloBuilder builder, string connectionString, string tableName = AzureTableHistoryStore.DefaultTableName)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        return builder.AddAzureTableHistoryStore(new TableServiceClient(connectionString), tableName);
    }
}
