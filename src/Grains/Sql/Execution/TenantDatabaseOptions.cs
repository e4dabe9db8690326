namespace NodeDb.Orleans.Grains.Sql.Execution;

/// <summary>Where tenants' databases are and how job bodies run against them.</summary>
/// <remarks>
/// A tenant named in <see cref="PostgresConnections"/> always uses PostgreSQL; any other tenant uses
/// <see cref="Engine"/>. Validated at start-up by <see cref="TenantDatabaseOptionsValidator"/>.
/// </remarks>
public sealed class TenantDatabaseOptions
{
    /// <summary>The root of SQLite tenant files, <c>{DataDirectory}/tenants/{tenant}.db</c>.</summary>
    /// <value>Defaults to <c>.data</c> under the working directory.</value>
    public string DataDirectory { get; set; } = ".data";

    /// <summary>The engine of tenants without an entry in <see cref="PostgresConnections"/>.</summary>
    /// <value>Defaults to <see cref="TenantDatabaseEngine.Sqlite"/>.</value>
    public TenantDatabaseEngine Engine { get; set; } = TenantDatabaseEngine.Sqlite;

    /// <summary>An Npgsql connection string containing <c>{tenant}</c>, for example <c>Host=db;Database=nodedb_{tenant};Username=nodedb</c>.</summary>
    /// <value>Defaults to <see langword="null"/>: required when <see cref="Engine"/> is Postgres, unless every tenant is in <see cref="PostgresConnections"/>.</value>
    public string? PostgresConnectionTemplate { get; set; }

    /// <summary>An explicit Npgsql connection string per tenant; wins over <see cref="PostgresConnectionTemplate"/>.</summary>
    public Dictionary<string, string> PostgresConnections { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// A PostgreSQL role each run switches to with <c>SET LOCAL ROLE</c> after writing the ledger row, so the body
    /// has that role's rights only. May contain <c>{tenant}</c> and <c>{owner}</c>.
    /// </summary>
    /// <value>Defaults to <see langword="null"/>: no switch, the body runs as the connection's user.</value>
    public string? PostgresRoleTemplate { get; set; }

    /// <summary>
    /// The key of the sealed PostgreSQL run ledger (scripts/postgres/tenant-setup.sql stores the same key in every tenant
    /// database, readable only by <c>nodedb_ledger_owner</c>). The runner signs each ledger write with an HMAC of it.
    /// </summary>
    /// <value>
    /// Defaults to <see langword="null"/>: the runner keeps a plain <c>nodedb_run_ledger</c> table that tenant SQL can write,
    /// which is for development only. Production sets it (from a secret store), at least 32 characters.
    /// </value>
    public string? PostgresLedgerKey { get; set; }

    /// <summary>The time budget of ad-hoc SQL sent by the client (and of a job request that carries none).</summary>
    /// <value>Defaults to 300 s.</value>
    /// <remarks>Schedule runs carry their own budget: the schedule's TIMEOUT, else <c>Scheduler:DefaultTimeout</c>.</remarks>
    public TimeSpan DefaultTimeout { get; set; } = TimeSpan.FromSeconds(300);

    /// <summary>The wait before the first retry; each further retry waits twice as long.</summary>
    /// <value>Defaults to 200 ms.</value>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How long a committed run id stays in the tenant's ledger.</summary>
    /// <value>Defaults to 7 days.</value>
    /// <remarks>It must outlive the longest time a run can stay in flight unsettled: a pruned id reads as "never ran".</remarks>
    public TimeSpan LedgerRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often, at most, a tenant's ledger is pruned (after a successful run).</summary>
    /// <value>Defaults to 1 hour.</value>
    public TimeSpan LedgerPruneInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a SQLite statement waits for a lock held by another connection before failing as busy (retryable).</summary>
    /// <value>Defaults to 5 s; whole seconds, at least 1.</value>
    public TimeSpan SqliteBusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The largest string or blob a tenant's SQLite statement may build or store (<c>SQLITE_LIMIT_LENGTH</c>), in bytes.</summary>
    /// <value>Defaults to 16 MiB; 1 KiB to 1 GB.</value>
    /// <remarks>Stops <c>SELECT zeroblob(999999999)</c> and friends in the engine, before the memory is taken.</remarks>
    public int SqliteMaxValueBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>The longest single SQL statement a tenant's SQLite connection compiles (<c>SQLITE_LIMIT_SQL_LENGTH</c>), in bytes.</summary>
    /// <value>Defaults to 1 MiB; 1 KiB to 1 GB.</value>
    public int SqliteMaxStatementLength { get; set; } = 1024 * 1024;

    /// <summary>The deepest expression tree a tenant's SQLite connection compiles (<c>SQLITE_LIMIT_EXPR_DEPTH</c>).</summary>
    /// <value>Defaults to 250; 10 to 1000 (SQLite's own default and ceiling).</value>
    public int SqliteMaxExpressionDepth { get; set; } = 250;

    /// <summary>The most rows an ad-hoc SQL request returns; a longer result is cut there and says so (<see cref="SqlResult.Truncated"/>).</summary>
    /// <value>Defaults to 10,000; at least 1.</value>
    public int AdHocMaxRows { get; set; } = 10_000;

    /// <summary>The most bytes of values (text as UTF-16, blobs as their length, 8 per number) one ad-hoc result holds; a larger one is cut and says so.</summary>
    /// <value>Defaults to 16 MiB; at least 1 KiB.</value>
    public int AdHocMaxResultBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>How many ad-hoc SQL requests of one tenant one silo runs at once; one more is refused at once, naming this limit.</summary>
    /// <value>Defaults to 4; at least 1.</value>
    public int AdHocMaxConcurrentPerTenant { get; set; } = 4;
}
