using Microsoft.Data.Sqlite;
using static SQLitePCL.raw;

namespace NodeDb.Orleans.Grains.Sql.Execution.Sqlite;

/// <summary>
/// Makes a tenant's SQLite connection a sandbox: limits, defensive mode and an authorizer set on the freshly opened
/// (or pooled) handle by <see cref="Enter"/>, and checked and cleared again when the returned scope is disposed.
/// </summary>
/// <remarks>
/// The authorizer starts in runner mode (the runner's own statements: ledger, WAL pragma, prune) and switches to
/// tenant mode only around tenant SQL (<see cref="SqliteSandboxScope.RunTenant"/>). Settings are made on every
/// <see cref="Enter"/>, because a pooled handle must not depend on what the previous user left behind.
/// </remarks>
internal sealed class SqliteSandbox
{
    // SQLite's own numbers (sqlite3.h); SQLitePCLRaw names them too, restated so the intent reads here.
    private const int DbConfigDefensive = SQLITE_DBCONFIG_DEFENSIVE;
    private const int DbConfigLoadExtension = SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION;
    private const int DbConfigFts3Tokenizer = SQLITE_DBCONFIG_ENABLE_FTS3_TOKENIZER;

    /// <summary>Idle probe databases kept for <see cref="Refusal"/>; each serves one check at a time.</summary>
    private const int MaxProbes = 8;

    private readonly TenantDatabaseOptions _options;
    private readonly System.Collections.Concurrent.ConcurrentBag<SqliteConnection> _probes = [];

    public SqliteSandbox(TenantDatabaseOptions options) => _options = options;

    /// <summary>Configures the open connection and returns the scope that runs the runner's and the tenant's SQL on it.</summary>
    public SqliteSandboxScope Enter(SqliteConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var db = connection.Handle ?? throw new InvalidOperationException("The connection must be open before it enters the sandbox.");
        Check(db, sqlite3_db_config(db, DbConfigDefensive, 1, out _), "defensive mode");
        Check(db, sqlite3_db_config(db, DbConfigLoadExtension, 0, out _), "extension loading off");
        Check(db, sqlite3_db_config(db, DbConfigFts3Tokenizer, 0, out _), "fts3_tokenizer off");
        sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);
        sqlite3_limit(db, SQLITE_LIMIT_LENGTH, _options.SqliteMaxValueBytes);
        sqlite3_limit(db, SQLITE_LIMIT_SQL_LENGTH, _options.SqliteMaxStatementLength);
        sqlite3_limit(db, SQLITE_LIMIT_EXPR_DEPTH, _options.SqliteMaxExpressionDepth);
        return new SqliteSandboxScope(connection, db);
    }

    /// <summary>
    /// Prepares (never runs) the body's statements in an empty in-memory database under the tenant rules and returns the
    /// first refusal, so a schedule is refused at CREATE rather than failing at every fire. Preparing stops at the first
    /// statement that needs a table the empty database lacks; the wall itself is the authorizer when the body runs.
    /// </summary>
    public string? Refusal(string innerText)
    {
        // A probe database only ever prepares statements, so it stays as made (empty but for the ledger) and is reused:
        // opening one and creating its ledger cost more than the check itself, on every CREATE of a bulk import.
        var connection = _probes.TryTake(out var pooled) ? pooled : OpenProbe();
        try
        {
            using var scope = Enter(connection);
            try
            {
                scope.RunTenant(innerText, (_, _) => { });
                return null;
            }
            catch (StatementFailedException e) when (scope.LastDenial is not null && e.InnerException is SqliteException { SqliteErrorCode: SQLITE_AUTH })
            {
                return $"Body {e.Message}: remove it; schedule bodies run inside the tenant sandbox.";
            }
            catch (StatementFailedException)
            {
                return null;
            }
        }
        finally
        {
            if (_probes.Count < MaxProbes)
            {
                _probes.Add(connection);
            }
            else
            {
                connection.Dispose();
            }
        }
    }

    private static SqliteConnection OpenProbe()
    {
        var connection = new SqliteConnection("Data Source=:memory:;Pooling=False");
        connection.Open();
        using var ledger = connection.CreateCommand();
        ledger.CommandText = "CREATE TABLE nodedb_run_ledger(run_id TEXT PRIMARY KEY, schedule TEXT NOT NULL, committed_at INTEGER NOT NULL)";
        ledger.ExecuteNonQuery();
        return connection;
    }

    private static void Check(SQLitePCL.sqlite3 db, int rc, string what)
    {
        if (rc != SQLITE_OK)
        {
            throw new InvalidOperationException($"SQLite refused to set {what} on a tenant connection: {sqlite3_errmsg(db).utf8_to_string()} (error {rc}).");
        }
    }
}
