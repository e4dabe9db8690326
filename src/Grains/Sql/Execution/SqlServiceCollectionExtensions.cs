using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodeDb.Orleans.Grains.Running;

namespace NodeDb.Orleans.Grains.Sql.Execution;

/// <summary>Registers the SQL job runner.</summary>
public static class SqlServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IJobRunner"/> (a <see cref="SqlJobRunner"/>), <see cref="ITenantSqlExecutor"/>,
    /// a no-op <see cref="IRunFaultInjector"/> and <see cref="TimeProvider.System"/> unless one is registered,
    /// and validates <see cref="TenantDatabaseOptions"/> at start-up.
    /// </summary>
    /// <remarks>Idempotent: calling it again only adds another <paramref name="configure"/> step.</remarks>
    public static IServiceCollection AddNodeDbSql(this IServiceCollection services, Action<TenantDatabaseOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.Configure(configure);
        if (services.Any(d => d.ServiceType == typeof(TenantEngines)))
        {
            return services;
        }

        services.AddLogging();
        services.AddOptions<TenantDatabaseOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TenantDatabaseOptions>, TenantDatabaseOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IRunFaultInjector, NoRunFaultInjector>();
        services.AddSingleton(sp => new TenantEngines(sp.GetRequiredService<IOptions<TenantDatabaseOptions>>(), sp.GetRequiredService<IRunFaultInjector>()));
        services.TryAddSingleton(sp => new SqlJobRunner(
            sp.GetRequiredService<TenantEngines>(),
            sp.GetRequiredService<IRunFaultInjector>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<SqlJobRunner>>()));
        services.TryAddSingleton<IJobRunner>(sp => sp.GetRequiredService<SqlJobRunner>());
        services.TryAddSingleton<ITenantSqlExecutor>(sp => new TenantSqlExecutor(sp.GetRequiredService<TenantEngines>(), sp.GetRequiredService<TimeProvider>()));
        return services;
    }
}
