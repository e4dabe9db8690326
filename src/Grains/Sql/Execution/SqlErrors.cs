using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace NodeDb.Orleans.Grains.Sql.Execution;

/// <summary>Which database errors are worth another attempt, and how errors read in history.</summary>
internal static class SqlErrors
{
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;

    /// <summary>
    /// True for errors that can succeed later without a change to the body: connection loss, serialization
    /// failure, deadlock, lock timeout, server shutting down or full, SQLite busy or locked. Constraint
    /// violations, syntax errors, <c>RAISE EXCEPTION</c> and every other error fail at once.
    /// </summary>
    public static bool IsTransient(Exception error) => Unwrap(error) switch
    {
        PostgresException pg => IsTransientSqlState(pg.SqlState),
        NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is IOException or SocketException or TimeoutException,
        SqliteException sqlite => sqlite.SqliteErrorCode is SqliteBusy or SqliteLocked,
        IOException or SocketException => true,
        _ => false,
    };

    /// <summary>SQLSTATE classes and codes that are transient in PostgreSQL's own terms.</summary>
    public static bool IsTransientSqlState(string sqlState) =>
        sqlState.StartsWith("08", StringComparison.Ordinal) // connection exception
        || sqlState is "40001" // serialization_failure
            or "40P01" // deadlock_detected
            or "55P03" // lock_not_available
            or "53300" // too_many_connections
            or "57P01" // admin_shutdown
            or "57P02" // crash_shutdown
            or "57P03"; // cannot_connect_now

    /// <summary>The text history shows: a raised exception's own message, else the server's message with its code.</summary>
    public static string Message(Exception error) => Unwrap(error) switch
    {
        PostgresException { SqlState: "P0001" } raised => raised.MessageText,
        PostgresException pg => $"{pg.MessageText} (SQLSTATE {pg.SqlState})",
        SqliteException sqlite => $"{sqlite.Message.TrimEnd('.')} (SQLite error {sqlite.SqliteErrorCode})",
        NpgsqlException npgsql when npgsql.InnerException is { } inner => $"{npgsql.Message} {inner.Message}",
        var other => other.Message,
    };

    private static Exception Unwrap(Exception error) =>
        error is StatementFailedException { InnerException: { } inner } ? inner : error;
}
