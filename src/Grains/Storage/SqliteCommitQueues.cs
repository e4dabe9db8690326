using System.Collections.Concurrent;

namespace NodeDb.Orleans.Grains.Storage;

/// <summary>
/// The group-commit queue of each SQLite file a silo writes, shared by its grain storage and its reminder table when both
/// use the same file with the same settings: a create's state write and reminder upsert then share transactions, where
/// two queues on one file took turns at its write lock and committed twice (issue 13).
/// </summary>
/// <remarks>One per silo (a DI singleton); a file written with other settings (busy timeout, flush mode) gets its own queue.</remarks>
internal sealed class SqliteCommitQueues
{
    private readonly ConcurrentDictionary<string, SqliteGroupCommit> _queues = new(StringComparer.Ordinal);

    /// <summary>The queue of <paramref name="database"/>'s file, created on first use.</summary>
    public SqliteGroupCommit For(SqliteDatabase database) => _queues.GetOrAdd(database.CommitKey, _ => new SqliteGroupCommit(database));
}
