using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using NodeDb.Orleans.Grains;
using Orleans.Storage;

namespace NodeDb.Orleans.Silo.Admin;

/// <summary>
/// Ready only while the schedules' grain storage answers: one point read of a probe row that never exists, through the
/// same provider (SQLite file, Azure Table) that schedules claim their occurrences with.
/// </summary>
/// <remarks>Runs only when a probe asks (a Kubernetes probe every few seconds), so it costs nothing at rest.</remarks>
public sealed class StorageHealthCheck(IServiceProvider services, IOptions<AdminSettings> settings) : IHealthCheck
{
    private static readonly GrainId Probe = GrainId.Create("nodedb-health", "probe");

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var storage = services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Schedules);
        var timeout = settings.Value.StorageTimeout;
        try
        {
            await storage.ReadStateAsync("health", Probe, new GrainState<Dictionary<string, string>>()).WaitAsync(timeout, cancellationToken);
            return HealthCheckResult.Healthy($"grain storage '{StorageNames.Schedules}' answered");
        }
        catch (TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"grain storage '{StorageNames.Schedules}' did not answer within {timeout.TotalSeconds:0.#} s");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"grain storage '{StorageNames.Schedules}' failed: {e.GetType().Name}: {e.Message}", e);
        }
    }
}
