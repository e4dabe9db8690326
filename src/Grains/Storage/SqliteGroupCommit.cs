using Microsoft.Data.Sqlite;

namespace NodeDb.Orleans.Grains.Storage;

/// <summary>
/// Group commit for one SQLite file: writes queued while a transaction is open go into the next one, so a second in
/// which thousands of schedules claim an occurrence costs a few transactions instead of thousands.
/// </summary>
/// <remarks>
/// Each queued write runs its own checks (the ETag comparison) and fails alone: a conflict in one write never undoes
/// another. A write's caller is answered only after the transaction holding it committed. One drain loop per file
/// runs off the callers' threads, so grain turns never block on SQLite.
/// </remarks>
internal sealed class SqliteGroupCommit
{
    private const int MaxBatch = 512;
    private readonly SqliteDatabase _database;
    private readonly BatchQueue<Pending> _queue;

    public SqliteGroupCommit(SqliteDatabase database)
    {
        _database = database;
        _queue = new BatchQueue<Pending>(MaxBatch, CommitAsync);
    }

    /// <summary>Runs <paramref name="write"/> inside the next batch's transaction and returns once that transaction committed.</summary>
    public Task RunAsync(Action<SqliteWriteScope> write)
    {
        var pending = new Pending(write, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        _queue.Add(pending);
        return pending.Done.Task;
    }

    private async Task CommitAsync(List<Pending> batch)
    {
        var failures = new Exception?[batch.Count];
        try
        {
            using var writer = await _database.EnterWriteAsync(CancellationToken.None);
            await using var connection = await _database.OpenAsync(CancellationToken.None);
            using var transaction = SqliteDatabase.BeginWrite(connection);
            using var scope = new SqliteWriteScope(connection, transaction);
            for (var i = 0; i < batch.Count; i++)
            {
                try
                {
                    // A write checks before it changes anything, and one statement is atomic in SQLite,
                    // so a write that throws leaves nothing of itself in the transaction.
                    batch[i].Write(scope);
                }
                catch (Exception e)
                {
                    failures[i] = e;
                }
            }

            transaction.Commit();
        }
        catch (Exception e)
        {
            // The transaction itself failed (file locked past the busy timeout, disk full): nothing of the batch is stored.
            foreach (var pending in batch)
            {
                pending.Done.TrySetException(e);
            }

            return;
        }

        for (var i = 0; i < batch.Count; i++)
        {
            if (failures[i] is { } failure)
            {
                batch[i].Done.TrySetException(failure);
            }
            else
            {
                batch[i].Done.TrySetResult();
            }
        }
    }

    private sealed record Pending(Action<SqliteWriteScope> Write, TaskCompletionSource Done);
}
