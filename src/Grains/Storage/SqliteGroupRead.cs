using Microsoft.Data.Sqlite;

namespace NodeDb.Orleans.Grains.Storage;

/// <summary>
/// Grouped point reads for one SQLite file: reads queued while a batch runs go into the next one, which runs on one pooled
/// connection with its statements prepared once, off the callers' threads.
/// </summary>
/// <remarks>
/// Each activation reads its state once; a bulk create or a silo waking thousands of schedules activates them side by side,
/// and opening a connection, preparing the SELECT and hopping to the thread pool per read cost more than the read itself.
/// Each read runs alone (autocommit, its own snapshot) and fails alone; a failure to open the connection fails the batch.
/// Reads of one provider run one after another: a read that waits for the file's lock holds those queued behind it. In
/// WAL mode a reader waits only while another connection holds the file exclusively (WAL recovery, a tool in exclusive
/// mode), and then every read would wait anyway.
/// </remarks>
internal sealed class SqliteGroupRead
{
    private const int MaxBatch = 256;
    private readonly SqliteDatabase _database;
    private readonly BatchQueue<Pending> _queue;

    public SqliteGroupRead(SqliteDatabase database)
    {
        _database = database;
        _queue = new BatchQueue<Pending>(MaxBatch, RunBatchAsync);
    }

    /// <summary>Runs <paramref name="read"/> in the next batch and returns its result.</summary>
    public Task<T> RunAsync<T>(Func<SqliteWriteScope, T> read)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var pending = new Pending(
            scope =>
            {
                try
                {
                    done.TrySetResult(read(scope));
                }
                catch (Exception e)
                {
                    done.TrySetException(e);
                }
            },
            e => done.TrySetException(e));
        _queue.Add(pending);
        return done.Task;
    }

    private async Task RunBatchAsync(List<Pending> batch)
    {
        SqliteConnection connection;
        try
        {
            connection = await _database.OpenAsync(CancellationToken.None);
        }
        catch (Exception e)
        {
            foreach (var pending in batch)
            {
                pending.Fail(e);
            }

            return;
        }

        await using (connection)
        {
            using var scope = new SqliteWriteScope(connection, transaction: null);
            foreach (var pending in batch)
            {
                pending.Run(scope);
            }
        }
    }

    private sealed record Pending(Action<SqliteWriteScope> Run, Action<Exception> Fail);
}
