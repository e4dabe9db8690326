using Microsoft.Extensions.Options;
using NodeDb.Orleans.Grains.Sql.Execution;

namespace NodeDb.Orleans.Silo.Profiles;

/// <summary>
/// Refuses, at start-up, an azure-profile silo whose tenant databases are SQLite files, unless the operator states that
/// every silo of the cluster shares this one data directory (<see cref="SiloSettings.SharedDataDirectory"/>).
/// </summary>
/// <remarks>
/// The run ledger that makes a run exactly-once lives in the tenant's database. An azure-profile cluster may span
/// several hosts; if each host had its own SQLite file for a tenant, a schedule that moved to another host would find
/// no ledger row for a run that committed on the first one and run it again, silently. Silos on one machine sharing
/// one directory (or hosts sharing a file system whose locks SQLite can trust) are safe, but only the operator knows
/// that; PostgreSQL tenants are safe everywhere.
/// </remarks>
public sealed class AzureTenantDatabasesValidator(bool sharedDataDirectory, string dataDirectory) : IValidateOptions<TenantDatabaseOptions>
{
    public ValidateOptionsResult Validate(string? name, TenantDatabaseOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (sharedDataDirectory || options.Engine != TenantDatabaseEngine.Sqlite)
        {
            return ValidateOptionsResult.Success;
        }

        return ValidateOptionsResult.Fail(
            $"The azure profile runs a cluster that may span several hosts, but tenant databases are SQLite files under '{dataDirectory}' " +
            "(Sql:Engine is Sqlite). If the silos do not all share that one directory, each host keeps its own copy of a tenant's run " +
            "ledger and a schedule that moves between hosts can run an occurrence twice. Use PostgreSQL (Sql:Engine=Postgres with " +
            "Sql:PostgresConnectionTemplate), or, when every silo shares this directory (one machine, or a shared file system with " +
            "working locks), say so with --shared-data-dir (NodeDb:SharedDataDirectory=true).");
    }
}
