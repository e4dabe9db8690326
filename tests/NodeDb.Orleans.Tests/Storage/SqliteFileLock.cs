using Microsoft.Data.Sqlite;

namespace NodeDb.Orleans.Tests.Storage;

/// <summary>
/// Holds a SQLite file's exclusive lock from another connection (exclusive locking mode plus an open write
/// transaction), so every other reader and writer of the file waits on its busy timeout until <see cref="Release"/>.
/// </summary>
internal sealed class SqliteFileLock : IDisposable
{
    private readonly SqliteConnection _connection;
    private SqliteTransaction? _transaction;

    private SqliteFileLock(SqliteConnection connection, SqliteTransaction transaction)
    {
        _connection = connection;
        _transaction = transaction;
    }

    public static SqliteFileLock Exclusive(string file)
    {
        // Idle pooled connections keep the WAL file's shared lock, which an exclusive-mode connection cannot pass.
        SqliteConnection.ClearAllPools();
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ToString());
        connection.Open();
        using (var mode = connection.CreateCommand())
        {
            mode.CommandText = "PRAGMA locking_mode = EXCLUSIVE;";
            mode.ExecuteNonQuery();
        }

        var transaction = connection.BeginTransaction(deferred: false);
        using var write = connection.CreateCommand();
        write.Transaction = transaction;
        write.CommandText = "CREATE TABLE IF NOT EXISTS lock_probe (x INTEGER); INSERT INTO lock_probe VALUES (1);";
        write.ExecuteNonQuery();
        return new SqliteFileLock(connection, transaction);
    }

    public void Release()
    {
        _transaction?.Rollback();
        _transaction = null;
        _connection.Dispose();
    }

    public void Dispose() => Release();
}
