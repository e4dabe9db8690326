using Microsoft.Extensions.DependencyInjection;
using NodeDb.Orleans.Grains;
using NodeDb.Orleans.Grains.Sql.Execution;
using NodeDb.Orleans.Tests.Cluster;

namespace NodeDb.Orleans.Tests.Security;

/// <summary>A scheduler cluster that also serves sessions (tenant SQL in SQLite files), for the access tests.</summary>
internal static class SecurityCluster
{
    public static Task<SchedulerCluster> StartAsync(short silos = 1) => SchedulerCluster.StartAsync(silos: silos, storage: (silo, data) =>
    {
        silo.AddMemoryGrainStorage(StorageNames.Schedules);
        silo.UseInMemoryReminderService();
        silo.Services.AddNodeDbSql(o => o.DataDirectory = data);
    });

    /// <summary>Runs <paramref name="call"/> presenting <paramref name="key"/>; returns the refusal code, or null when the filter let it through.</summary>
    public static async Task<string?> RefusalAsync(string key, Func<Task> call)
    {
        try
        {
            using (TestKeys.As(key))
            {
                await call();
            }

            return null;
        }
        catch (NodeDbException e) when (e.Code is ErrorCodes.Unauthenticated or ErrorCodes.PermissionDenied)
        {
            return e.Code;
        }
        catch (Exception e) when (e is NodeDbException or ArgumentException or InvalidOperationException)
        {
            // Refused by the grain itself (not found, already exists…): the filter let the call through.
            return null;
        }
    }
}
