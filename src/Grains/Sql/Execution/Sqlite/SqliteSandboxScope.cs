using Microsoft.Data.Sqlite;
using SQLitePCL;
using static SQLitePCL.raw;

namespace NodeDb.Orleans.Grains.Sql.Execution.Sqlite;

/// <summary>One use of a sandboxed connection; see <see cref="SqliteSandbox"/>. Not thread-safe, like the connection.</summary>
internal sealed class SqliteSandboxScope : IDisposable
{
    private static readonly strdelegate_authorizer Callback = Authorize;

    private readonly SqliteConnection _connection;
    private readonly sqlite3 _db;
    private bool _tenant;
    private bool _disposed;

    internal SqliteSandboxScope(SqliteConnection connection, sqlite3 db)
    {
        _connection = connection;
        _db = db;
        var rc = sqlite3_set_authorizer(db, Callback, this);
        if (rc != SQLITE_OK)
        {
            throw new InvalidOperationException($"SQLite refused the tenant authorizer (error {rc}).");
        }
    }

    /// <summary>Why the authorizer last refused something, or null; cleared when tenant SQL starts.</summary>
    public string? LastDenial { get; private set; }

    /// <summary>
    /// Runs <paramref name="sql"/> (any number of statements) as tenant SQL: split the way SQLite itself splits it, one
    /// prepared statement at a time, each under the tenant rules. <paramref name="run"/> gets each statement's text and
    /// 1-based index and runs it on the connection; its SQLite errors come out as <see cref="StatementFailedException"/>.
    /// </summary>
    /// <returns>How many statements ran.</returns>
    public int RunTenant(string sql, Action<string, int> run)
    {
        ArgumentNullException.ThrowIfNull(sql);
        ArgumentNullException.ThrowIfNull(run);
        ObjectDisposedException.ThrowIf(_disposed, this);
        _tenant = true;
        LastDenial = null;
        var index = 0;
        try
        {
            using var statements = SqliteStatementSplitter.Split(_db, sql).GetEnumerator();
            while (true)
            {
                // A denial belongs to the statement being prepared now, never to an earlier one.
                LastDenial = null;
                if (!statements.MoveNext())
                {
                    break;
                }

                index++;
                try
                {
                    run(statements.Current, index);
                }
                catch (SqliteException e)
                {
                    throw Failed(index, statements.Current, e);
                }
            }
        }
        catch (SqliteStatementSplitter.PrepareFailedException e)
        {
            throw Failed(index + 1, e.Statement, e.Error);
        }
        finally
        {
            _tenant = false;
        }

        return index;
    }

    /// <summary>
    /// Clears the authorizer and, when the handle carries anything beyond the tenant's main database (an attached
    /// database, a temporary object), keeps it out of the pool. Neither can be made by tenant SQL; this is the net
    /// under that rule, so a pooled handle never carries one run's state into another.
    /// </summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _tenant = false;
        try
        {
            if (_connection.State == System.Data.ConnectionState.Open && Leaked())
            {
                SqliteConnection.ClearPool(_connection);
            }
        }
        catch (SqliteException)
        {
            // A handle we cannot inspect is not one to hand to the next run.
            SqliteConnection.ClearPool(_connection);
        }
        finally
        {
            sqlite3_set_authorizer(_db, (strdelegate_authorizer?)null, null);
        }
    }

    private static int Authorize(object userData, int action, string? p0, string? p1, string? database, string? trigger)
    {
        var scope = (SqliteSandboxScope)userData;
        var denial = scope._tenant ? SqliteAuthorizer.DenyTenant(action, p0, p1, database, trigger) : SqliteAuthorizer.DenyRunner(action, trigger);
        if (denial is null)
        {
            return SQLITE_OK;
        }

        scope.LastDenial = denial;
        return SQLITE_DENY;
    }

    private StatementFailedException Failed(int index, string statement, SqliteException error)
    {
        // SQLite reports most denials as SQLITE_AUTH, a denied function as SQLITE_ERROR "not authorized to use function".
        var denied = error.SqliteErrorCode == SQLITE_AUTH || error.Message.Contains("not authorized", StringComparison.Ordinal);
        var refused = denied && LastDenial is { } reason
            ? new SqliteException($"refused by the tenant sandbox: {reason}", SQLITE_AUTH)
            : error;
        return new StatementFailedException(index, count: null, statement, refused);
    }

    private bool Leaked()
    {
        using var command = _connection.CreateCommand();
        command.Transaction = null;
        command.CommandText = "SELECT (SELECT count(*) FROM pragma_database_list WHERE name NOT IN ('main', 'temp')) + (SELECT count(*) FROM temp.sqlite_master)";
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) != 0;
    }
}
