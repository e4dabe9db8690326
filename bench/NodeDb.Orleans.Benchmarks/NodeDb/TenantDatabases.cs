using System.Globalization;
using NodeDb.Orleans.Benchmarks.Postgres;

namespace NodeDb.Orleans.Benchmarks.NodeDb;

/// <summary>The tenants' own databases: the <c>fx</c> table the bodies insert into, and what they hold afterwards.</summary>
public static class TenantDatabases
{
    private const string Owner = "bench";

    /// <summary>
    /// Creates each tenant's PostgreSQL database (when <paramref name="server"/> is given) and its <c>fx</c> table,
    /// the latter through the product's ad-hoc SQL path (<c>ITenantSqlExecutor</c>, what <c>nodedb sql</c> calls).
    /// </summary>
    public static async Task PrepareAsync(NodeDbSilo silo, IEnumerable<string> tenants, PostgresServer? server)
    {
        foreach (var tenant in tenants)
        {
            if (server is not null)
            {
                await server.CreateDatabaseAsync(SqlTarget.PostgresDatabaseOf(tenant));
            }

            await silo.Sql.ExecuteAsync(tenant, "CREATE TABLE IF NOT EXISTS fx(at INTEGER)", Owner);
        }
    }

    /// <summary>Rows in the tenant's run ledger (one per committed run id) and in <c>fx</c> (one per body that committed).</summary>
    /// <remarks>The runner creates the ledger with the tenant's first run, so a tenant that has not run yet has none: 0.</remarks>
    public static async Task<(long Ledger, long Effects)> CountAsync(NodeDbSilo silo, string tenant)
    {
        var exists = silo.Target?.Engine == Grains.Sql.Execution.TenantDatabaseEngine.Postgres
            ? "SELECT count(*) FROM pg_tables WHERE tablename = 'nodedb_run_ledger'"
            : "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'nodedb_run_ledger'";
        if (Long((await silo.Sql.ExecuteAsync(tenant, exists, Owner)).Rows[0][0]) == 0)
        {
            return (0, Long((await silo.Sql.ExecuteAsync(tenant, "SELECT count(*) FROM fx", Owner)).Rows[0][0]));
        }

        // One statement, so both counts come from one snapshot: runs still committing (a run's ledger row and its
        // effect commit together) cannot make them differ.
        var row = (await silo.Sql.ExecuteAsync(tenant, "SELECT (SELECT count(*) FROM nodedb_run_ledger), (SELECT count(*) FROM fx)", Owner)).Rows[0];
        return (Long(row[0]), Long(row[1]));
    }

    private static long Long(object? value) => Convert.ToInt64(value, CultureInfo.InvariantCulture);

    /// <summary>The sum of the tenants' ledger rows: how many runs have committed so far.</summary>
    public static async Task<long> CommittedAsync(NodeDbSilo silo, IEnumerable<string> tenants)
    {
        long total = 0;
        foreach (var tenant in tenants)
        {
            total += (await CountAsync(silo, tenant)).Ledger;
        }

        return total;
    }
}
