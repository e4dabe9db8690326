using Microsoft.Data.Sqlite;

namespace NodeDb.Orleans.Grains.Storage;

/// <summary>
/// What one write of a group-committed transaction (<see cref="SqliteGroupCommit"/>) or one read of a grouped batch
/// (<see cref="SqliteGroupRead"/>, no transaction) works with: commands that are prepared once per batch and reused by
/// every operation of the batch with the same SQL text.
/// </summary>
/// <remarks>
/// Preparing a statement (parsing and planning its SQL) cost more than running it: a bulk create prepared about ten
/// statements per schedule. Microsoft.Data.Sqlite keeps a command's prepared statement while its text stays the same, so a
/// batch of 300 state writes now prepares its two statements once. Single-threaded: a batch runs on its drain loop only.
/// </remarks>
internal sealed class SqliteWriteScope(SqliteConnection connection, SqliteTransaction? transaction) : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    /// <summary>The command for <paramref name="sql"/> in this transaction, with no parameters bound yet.</summary>
    public SqliteCommand Command(string sql)
    {
        if (_commands.TryGetValue(sql, out var command))
        {
            command.Parameters.Clear();
            return command;
        }

        command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        _commands.Add(sql, command);
        return command;
    }

    /// <summary>Finalizes the prepared statements.</summary>
    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }
    }
}
