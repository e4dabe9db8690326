using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Providers;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Storage;

namespace NodeDb.Orleans.Grains.Storage;

/// <summary>Adds the SQLite grain storage and reminder table of the embedded profile to a silo.</summary>
public static class SqliteStorageSiloBuilderExtensions
{
    /// <summary>
    /// Adds a <see cref="SqliteGrainStorage"/> named <paramref name="name"/>, registered as a keyed
    /// <see cref="IGrainStorage"/> singleton the way Orleans' own providers are.
    /// </summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="name">The provider name used in <c>[PersistentState(stateName, name)]</c>.</param>
    /// <param name="configureOptions">Sets <see cref="SqliteStorageOptions.DataDirectory"/> or <see cref="SqliteStorageOptions.ConnectionString"/>.</param>
    /// <returns>The builder.</returns>
    /// <remarks>Invalid options fail silo start-up with an <see cref="OptionsValidationException"/> naming the option.</remarks>
    public static ISiloBuilder AddSqliteGrainStorage(this ISiloBuilder builder, string name, Action<SqliteStorageOptions> configureOptions)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configureOptions);

        builder.Services.AddOptions<SqliteStorageOptions>(name).Configure(configureOptions);
        AddOptionsServices(builder.Services);

        // The provider's own default serializer (Orleans looks for one keyed by the provider's name before the silo-wide
        // JSON one): binary, reading rows earlier versions wrote as JSON. Setting GrainStorageSerializer still wins.
        builder.Services.TryAddKeyedSingleton<IGrainStorageSerializer>(name, static (sp, _) => new BinaryStateSerializer(
            sp.GetRequiredService<Serializer>(),
            sp.GetRequiredService<IGrainStorageSerializer>()));
        builder.Services.AddGrainStorage(name, static (sp, providerName) => new SqliteGrainStorage(
            providerName,
            sp.GetRequiredService<IOptionsMonitor<SqliteStorageOptions>>().Get(providerName),
            sp.GetRequiredService<ILogger<SqliteGrainStorage>>(),
            sp.GetService<TimeProvider>() ?? TimeProvider.System,
            sp.GetRequiredService<SqliteCommitQueues>()));
        return builder;
    }

    /// <summary>Adds a <see cref="SqliteGrainStorage"/> as the default grain storage (provider name "Default").</summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="configureOptions">Sets <see cref="SqliteStorageOptions.DataDirectory"/> or <see cref="SqliteStorageOptions.ConnectionString"/>.</param>
    /// <returns>The builder.</returns>
    public static ISiloBuilder AddSqliteGrainStorageAsDefault(this ISiloBuilder builder, Action<SqliteStorageOptions> configureOptions) =>
        builder.AddSqliteGrainStorage(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, configureOptions);

    /// <summary>
    /// Adds Orleans reminders kept in SQLite by <see cref="SqliteReminderTable"/>. Options are registered
    /// under <see cref="SqliteReminderTable.OptionsName"/>.
    /// </summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="configureOptions">Sets <see cref="SqliteStorageOptions.DataDirectory"/> or <see cref="SqliteStorageOptions.ConnectionString"/>.</param>
    /// <returns>The builder.</returns>
    public static ISiloBuilder UseSqliteReminderService(this ISiloBuilder builder, Action<SqliteStorageOptions> configureOptions)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configureOptions);

        builder.AddReminders();
        builder.Services.AddOptions<SqliteStorageOptions>(SqliteReminderTable.OptionsName).Configure(configureOptions);
        AddOptionsServices(builder.Services);
        builder.Services.AddSingleton<IReminderTable>(static sp => new SqliteReminderTable(
            sp.GetRequiredService<IOptionsMonitor<SqliteStorageOptions>>().Get(SqliteReminderTable.OptionsName),
            sp.GetRequiredService<IOptions<ClusterOptions>>(),
            sp.GetRequiredService<SqliteCommitQueues>()));
        return builder;
    }

    private static void AddOptionsServices(IServiceCollection services)
    {
        // One group-commit queue per file for the silo's grain storage and reminder table (SqliteCommitQueues).
        services.TryAddSingleton<SqliteCommitQueues>();
        services.TryAddEnumerable(ServiceDescriptor.Transient<IPostConfigureOptions<SqliteStorageOptions>,
            DefaultStorageProviderSerializerOptionsConfigurator<SqliteStorageOptions>>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SqliteStorageOptions>, SqliteStorageOptionsValidator>());
    }
}
