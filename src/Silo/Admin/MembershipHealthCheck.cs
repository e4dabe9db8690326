using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace NodeDb.Orleans.Silo.Admin;

/// <summary>Ready only while this silo is <c>Active</c> in the cluster's membership: joining, shutting down or declared dead is not ready.</summary>
public sealed class MembershipHealthCheck(IClusterMembershipService membership, ILocalSiloDetails silo) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress);
        return Task.FromResult(status == SiloStatus.Active
            ? HealthCheckResult.Healthy($"silo {silo.SiloAddress} is Active")
            : HealthCheckResult.Unhealthy($"silo {silo.SiloAddress} is {status} in membership, not Active"));
    }
}
