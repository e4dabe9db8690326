using Microsoft.Extensions.Options;

namespace NodeDb.Orleans.Grains.Sql.Execution;

/// <summary>Picks the engine of a tenant: PostgreSQL when it has an explicit connection or the default engine is PostgreSQL, else SQLite.</summary>
internal sealed class TenantEngines : IAsyncDisposable
{
    private readonly TenantDatabaseOptions _options;

    public TenantEngines(IOptions<TenantDatabaseOptions> options, IRunFaultInjector faults)
    {
        // Reading Value runs the validators, so bad options fail here, at start-up, not at the first run.
        _options = options.Value;
        Sqlite = new SqliteTenantEngine(_options, faults);
        Postgres = new PostgresTenantEngine(_options, faults);
    }

    public SqliteTenantEngine Sqlite { get; }

    public PostgresTenantEngine Postgres { get; }

    public TenantDatabaseOptions Options => _options;

    public ITenantEngine For(string tenant)
    {
        TenantName.Check(tenant);
        return _options.PostgresConnections.ContainsKey(tenant) || _options.Engine == TenantDatabaseEngine.Postgres
            ? Postgres
            : Sqlite;
    }

    public ValueTask DisposeAsync() => Postgres.DisposeAsync();
}
