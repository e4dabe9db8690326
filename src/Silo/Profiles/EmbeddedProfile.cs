using System.Net;
using NodeDb.Orleans.Grains;
using Microsoft.Extensions.DependencyInjection;
using NodeDb.Orleans.Grains.Hosting;
using NodeDb.Orleans.Grains.Security;
using NodeDb.Orleans.Grains.Storage;

namespace NodeDb.Orleans.Silo.Profiles;

/// <summary>One machine, no external server: localhost clustering, and every byte in SQLite files under the data directory.</summary>
public static class EmbeddedProfile
{
    /// <summary>The first cluster-admin key, created on first start; the client on this machine finds it here.</summary>
    public const string BootstrapKeyFileName = "cluster-admin.key";

    /// <summary>The secret that marks the silos' own calls.</summary>
    public const string ClusterSecretFileName = "cluster.secret";

    public static void Configure(ISiloBuilder silo, SiloSettings settings)
    {
        var data = Path.GetFullPath(settings.DataDirectory);
        Directory.CreateDirectory(data);
        var primary = new IPEndPoint(IPAddress.Loopback, settings.PrimarySiloPort == 0 ? settings.SiloPort : settings.PrimarySiloPort);
        silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort, primary, settings.ServiceId, settings.ClusterId);
        silo.AddSqliteGrainStorage(StorageNames.Schedules, o => o.DataDirectory = data);
        silo.UseSqliteReminderService(o => o.DataDirectory = data);
        silo.AddSqliteHistoryStore(Path.Combine(data, "history.db"));

        // One machine: the keys live next to the data, readable by the operator only (0600), unless configured.
        silo.Services.PostConfigure<SecurityOptions>(o =>
        {
            if (string.IsNullOrWhiteSpace(o.ClusterSecret))
            {
                o.ClusterSecretFile ??= Path.Combine(data, ClusterSecretFileName);
            }

            if (string.IsNullOrWhiteSpace(o.BootstrapKey))
            {
                o.BootstrapKeyFile ??= Path.Combine(data, BootstrapKeyFileName);
            }
        });
    }
}
