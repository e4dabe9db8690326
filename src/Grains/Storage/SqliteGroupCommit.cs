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
internal sealed class SqliteGroupCommit(SqliteDatabase database)
{
    private const int MaxBatch = 512;
    private readonly Lock _lock = new();
    private readonly List<Pending> _queue = [];
    private bool _draining;

    /// <summary>Runs <paramref name="write"/> inside the next batch's transaction and returns once that transaction committed.</summary>
    public Task RunAsync(Action<SqliteWriteScope> write)
    {
        var pending = new Pending(write, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        lock (_lock)
        {
            _queue.Add(pending);
            if (!_draining)
            {
                _draining = true;
                _ = Task.Run(DrainAsync);
            }
        }

        return pending.Done.Task;
    }

    private async Task DrainAsync()
    {
        while (true)
        {
            List<Pending> batch;
            lock (_lock)
            {
                if (_queue.Count == 0)
                {
                    _draining = false;
                    return;
                }

                batch = _queue.Count <= MaxBatch ? [.. _queue] : _queue.GetRange(0, MaxBatch);
                _queue.RemoveRange(0, batch.Count);
            }

            await CommitAsync(batch);
        }
    }

    private async Task CommitAsync(List<Pending> batch)
    {
        var failures = new Exception?[batch.Count];
        try
        {
            using var writer = await database.EnterWriteAsync(CancellationToken.None);
            await using var connection = await database.OpenAsync(CancellationToken.None);
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
