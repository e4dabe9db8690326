using Microsoft.Extensions.DependencyInjection;

namespace NodeDb.Orleans.Grains.Security;

/// <summary>Adds keys, the authorization filter and the audit log to a silo. Idempotent; part of <c>AddNodeDbScheduler</c>.</summary>
public static class SecuritySiloBuilderExtensions
{
    public static ISiloBuilder AddNodeDbSecurity(this ISiloBuilder builder, Action<SecurityOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<SecurityOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        if (services.Any(d => d.ServiceType == typeof(AuthorizationFilter)))
        {
            return builder;
        }

        options.Validate(o =>
        {
            o.Validate();
            return true;
        }).ValidateOnStart();
        services.AddSingleton<ClusterSecret>();
        services.AddSingleton<KeyVerifier>();
        services.AddSingleton<AuditTrail>();
        services.AddSingleton<AuthorizationFilter>();
        services.AddSingleton<IIncomingGrainCallFilter>(sp => sp.GetRequiredService<AuthorizationFilter>());
        services.AddSingleton<InternalCallStamp>();
        services.AddSingleton<IOutgoingGrainCallFilter>(sp => sp.GetRequiredService<InternalCallStamp>());
        services.AddSingleton<BootstrapKey>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<BootstrapKey>());
        return builder;
    }
}
