using System.Net;
using NodeDb.Orleans.Grains;
using NodeDb.Orleans.Grains.Hosting;
using NodeDb.Orleans.Grains.Storage;

namespace NodeDb.Orleans.Silo.Profiles;

/// <summary>One machine, no external server: localhost clustering, and every byte in SQLite files under the data directory.</summary>
public static class EmbeddedProfile
{
    public static void Configure(ISiloBuilder silo, SiloSettings settings)
    {
        var data = Path.GetFullPath(settings.DataDirectory);
        Directory.CreateDirectory(data);
        var primary = new IPEndPoint(IPAddress.Loopback, settings.PrimarySiloPort == 0 ? settings.SiloPort : settings.PrimarySiloPort);
        silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort, primary, settings.ServiceId, settings.ClusterId);
        silo.AddSqliteGrainStorage(StorageNames.Schedules, o => o.DataDirectory = data);
        silo.UseSqliteReminderService(o => o.DataDirectory = data);
        silo.AddSqliteHistoryStore(Path.Combine(data, "history.db"));
    }
}
