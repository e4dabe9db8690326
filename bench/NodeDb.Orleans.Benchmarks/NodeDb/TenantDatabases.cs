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
    public static async Task<(long Ledger, long Effects)> CountAsync(NodeDbSilo silo, string tenant)
    {
        var ledger = await silo.Sql.ExecuteAsync(tenant, "SELECT count(*) FROM nodedb_run_ledger", Owner);
        var effects = await silo.Sql.ExecuteAsync(tenant, "SELECT count(*) FROM fx", Owner);
        return (Convert.ToInt64(ledger.Rows[0][0], CultureInfo.InvariantCulture), Convert.ToInt64(effects.Rows[0][0], CultureInfo.InvariantCulture));
    }

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
