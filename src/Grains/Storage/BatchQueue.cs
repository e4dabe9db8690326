namespace NodeDb.Orleans.Grains.Storage;

/// <summary>
/// A queue drained in batches by one loop off the callers' threads: items added while a batch runs go into the next
/// one, at most <paramref name="maxBatch"/> at a time. The group commit and the grouped reads of a SQLite file share it.
/// </summary>
/// <param name="maxBatch">The most items one batch takes.</param>
/// <param name="run">Runs one batch; it answers each item's caller itself and must not throw.</param>
internal sealed class BatchQueue<T>(int maxBatch, Func<List<T>, Task> run)
{
    private readonly Lock _lock = new();
    private readonly List<T> _queue = [];
    private bool _draining;

    /// <summary>Queues <paramref name="item"/> for the next batch, starting the drain loop if none runs.</summary>
    public void Add(T item)
    {
        lock (_lock)
        {
            _queue.Add(item);
            if (!_draining)
            {
                _draining = true;
                _ = Task.Run(DrainAsync);
            }
        }
    }

    private async Task DrainAsync()
    {
        while (true)
        {
            List<T> batch;
            lock (_lock)
            {
                if (_queue.Count == 0)
                {
                    _draining = false;
                    return;
                }

                batch = _queue.Count <= maxBatch ? [.. _queue] : _queue.GetRange(0, maxBatch);
                _queue.RemoveRange(0, batch.Count);
            }

            await run(batch);
        }
    }
}
