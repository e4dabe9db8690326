namespace NodeDb.Orleans.Tests.Client;

/// <summary>
/// Signals writes under a directory (the silo's SQLite files), so an end-to-end test re-checks through <c>nodedb</c>
/// only when the silo has written something, instead of sleeping.
/// </summary>
internal sealed class DirectoryChanges : IDisposable
{
    private readonly FileSystemWatcher _watcher;
    private readonly SemaphoreSlim _changed = new(0);

    public DirectoryChanges(string path)
    {
        _watcher = new FileSystemWatcher(path)
        {
            IncludeSubdirectories = true,
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.FileName,
        };
        _watcher.Changed += (_, _) => Signal();
        _watcher.Created += (_, _) => Signal();
        _watcher.EnableRaisingEvents = true;
    }

    /// <summary>Re-evaluates <paramref name="condition"/> after each write until it holds; fails after <paramref name="limit"/>.</summary>
    public async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> condition, TimeSpan limit, string what)
    {
        using var guard = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        guard.CancelAfter(limit);
        while (true)
        {
            // Drain the signals first: a write after this point wakes the next wait, none is lost.
            while (_changed.CurrentCount > 0)
            {
                await _changed.WaitAsync(guard.Token);
            }

            var value = await probe();
            if (condition(value))
            {
                return value;
            }

            try
            {
                await _changed.WaitAsync(guard.Token);
            }
            catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"Gave up after {limit.TotalSeconds} s waiting for {what}; last value: {value}");
            }
        }
    }

    public void Dispose()
    {
        _watcher.Dispose();
        _changed.Dispose();
    }

    private void Signal()
    {
        // One pending signal is enough to wake the waiter; capping keeps a busy silo from piling them up.
        if (_changed.CurrentCount == 0)
        {
            _changed.Release();
        }
    }
}
