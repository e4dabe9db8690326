namespace NodeDb.Orleans.Grains.Sql.Execution;

/// <summary>The kind of database a tenant's jobs run against.</summary>
public enum TenantDatabaseEngine
{
    /// <summary>A SQLite file per tenant under <see cref="TenantDatabaseOptions.DataDirectory"/>: the embedded default.</summary>
    Sqlite = 0,

    /// <summary>A PostgreSQL database reached through Npgsql.</summary>
    Postgres = 1,
}
