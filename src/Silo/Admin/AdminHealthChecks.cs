using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace NodeDb.Orleans.Silo.Admin;

/// <summary>Registers the silo's readiness checks (ASP.NET Core health checks, tag <see cref="ReadyTag"/>). Idempotent.</summary>
public static class AdminHealthChecks
{
    public const string ReadyTag = "ready";

    public static IServiceCollection AddNodeDbHealthChecks(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(TickLoopHealthCheck)))
        {
            return services;
        }

        services.AddOptions<AdminSettings>();
        services.AddSingleton<MembershipHealthCheck>();
        services.AddSingleton<StorageHealthCheck>();
        services.AddSingleton<TickLoopHealthCheck>();
        services.AddHealthChecks()
            .AddCheck<MembershipHealthCheck>("membership", HealthStatus.Unhealthy, [ReadyTag])
            .AddCheck<StorageHealthCheck>("storage", HealthStatus.Unhealthy, [ReadyTag])
            .AddCheck<TickLoopHealthCheck>("tick-loop", HealthStatus.Unhealthy, [ReadyTag]);
        return services;
    }
}
