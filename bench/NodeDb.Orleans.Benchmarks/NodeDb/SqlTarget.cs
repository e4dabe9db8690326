using NodeDb.Orleans.Grains.Sql.Execution;

namespace NodeDb.Orleans.Benchmarks.NodeDb;

/// <summary>Where the real <c>SqlJobRunner</c> runs the bodies: the embedded default (SQLite files) or PostgreSQL.</summary>
/// <param name="Name">How the tables name it.</param>
/// <param name="Engine">The tenants' engine.</param>
/// <param name="PostgresConnectionTemplate">For PostgreSQL: an Npgsql connection string with <c>{tenant}</c>.</param>
public sealed record SqlTarget(string Name, TenantDatabaseEngine Engine, string? PostgresConnectionTemplate = null)
{
    public static SqlTarget Sqlite { get; } = new("SQLite", TenantDatabaseEngine.Sqlite);

    public static SqlTarget Postgres(string template) => new("PostgreSQL", TenantDatabaseEngine.Postgres, template);

    /// <summary>The database of a tenant under the template <c>nodedb_{tenant}</c> the benchmark uses.</summary>
    public static string PostgresDatabaseOf(string tenant) => "nodedb_" + tenant;
}
