using System.Net;
using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NodeDb.Orleans.Grains;
using NodeDb.Orleans.Grains.Hosting;
using NodeDb.Orleans.Grains.Sql.Execution;
using NodeDb.Orleans.Grains.Storage;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using Orleans.Storage;

namespace NodeDb.Orleans.Silo.Profiles;

/// <summary>
/// A real cluster: Azure Table clustering, grain state, reminders and history (Azurite locally). Tenant databases
/// are PostgreSQL through the <c>Sql</c> section, or SQLite files under the data directory when every silo shares it
/// (<c>--shared-data-dir</c>; refused otherwise, see <see cref="AzureTenantDatabasesValidator"/>).
/// </summary>
/// <remarks>
/// Configuration read here besides <see cref="SiloSettings"/>: <c>NodeDb:AdvertisedAddress</c> (the IP other silos
/// and clients reach this silo at; defaults to 127.0.0.1, which only suits silos on one machine) and the
/// <c>Membership</c> section, bound onto <see cref="ClusterMembershipOptions"/> after <see cref="ConfigureMembership"/>.
/// </remarks>
public static class AzureProfile
{
    public static void Configure(ISiloBuilder silo, SiloSettings settings)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(settings);
        if (string.IsNullOrWhiteSpace(settings.AzureStorage))
        {
            throw new ArgumentException(
                "The azure profile needs a storage connection string: --azure-storage '<connection string>' " +
                "(for Azurite on its default port: --azure-storage UseDevelopmentStorage=true).");
        }

        TableServiceClient tables;
        try
        {
            tables = new TableServiceClient(settings.AzureStorage);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            throw new ArgumentException($"--azure-storage is not a storage connection string: {e.Message}");
        }

        var advertised = silo.Configuration["NodeDb:AdvertisedAddress"] is { Length: > 0 } text ? text : "127.0.0.1";
        if (!IPAddress.TryParse(advertised, out var address))
        {
            throw new ArgumentException($"NodeDb:AdvertisedAddress '{advertised}' is not an IP address.");
        }

        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = settings.ClusterId;
            o.ServiceId = settings.ServiceId;
        });
        silo.ConfigureEndpoints(address, settings.SiloPort, settings.GatewayPort, listenOnAnyHostAddress: !IPAddress.IsLoopback(address));
        silo.UseAzureStorageClustering(o => o.TableServiceClient = tables);
        AddScheduleStorage(silo, tables);
        silo.UseAzureTableReminderService(o => o.TableServiceClient = tables);
        silo.AddAzureTableHistoryStore(tables);
        ConfigureMembership(silo.Services);
        silo.Services.Configure<ClusterMembershipOptions>(silo.Configuration.GetSection("Membership"));
        silo.Services.AddSingleton<IValidateOptions<TenantDatabaseOptions>>(
            new AzureTenantDatabasesValidator(settings.SharedDataDirectory, Path.GetFullPath(settings.DataDirectory)));
    }

    /// <summary>
    /// Registers the schedules' grain storage on Azure Tables, with each grain key escaped first
    /// (<see cref="KeyEscapingGrainStorage"/>): the table storage alone maps <c>acme/x_y</c> and <c>acme_x/y</c> to one entity.
    /// </summary>
    public static void AddScheduleStorage(ISiloBuilder silo, TableServiceClient tables)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(tables);
        const string inner = StorageNames.Schedules + "-table";
        silo.AddAzureTableGrainStorage(inner, o => o.TableServiceClient = tables);
        silo.Services.AddGrainStorage(StorageNames.Schedules, static (sp, _) => new KeyEscapingGrainStorage(sp.GetRequiredKeyedService<IGrainStorage>(inner)));
    }

    /// <summary>
    /// Failure detection tuned so a dead silo's schedules fire again on a survivor well within 20 s (DESIGN §9).
    /// </summary>
    /// <remarks>
    /// Orleans' defaults (5 s probe timeout, 3 missed probes) take 15 s or more to suspect a silo that stops answering
    /// without closing its sockets (a hung or partitioned host), which leaves too little of the 20 s for the wake and
    /// the first fire. 2 s × 3 probes detects it in about 6–8 s; the cost is more probe traffic (one small message per
    /// probed silo every 2 s) and a higher risk of declaring a silo dead that was only paused (a GC or VM stall over
    /// ~6 s). A falsely declared silo shuts itself down and its schedules move, which is safe (claims are
    /// ETag-guarded) but churns. Raise <c>Membership:ProbeTimeout</c> on hosts with long pauses.
    /// The membership table is also re-read every 10 s instead of 60 s, so a death that gossip missed is seen soon.
    /// </remarks>
    public static void ConfigureMembership(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.Configure<ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = TimeSpan.FromSeconds(2);
            o.NumMissedProbesLimit = 3;
            o.TableRefreshTimeout = TimeSpan.FromSeconds(10);
        });
    }
}
