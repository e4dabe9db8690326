using Orleans.Storage;

namespace NodeDb.Orleans.Grains.Storage;

/// <summary>
/// Group commit inside one grain activation: changes queued while the state is being written go into the next write
/// together, so 1,000 schedules joining one index bucket cost a few writes of the bucket, not 1,000.
/// </summary>
/// <remarks>
/// <para>For a <c>[Reentrant]</c> grain whose every state change goes through <see cref="RunAsync"/>: a change is applied
/// to the in-memory state only when its batch starts, never while a write is in flight (a provider may still be reading
/// the state), and its caller is answered only after the write holding it succeeded.</para>
/// <para>A change returns how to undo itself (or <see langword="null"/> when it changed nothing). When the write fails,
/// every change of the batch is undone in reverse order and every caller of the batch gets the error, so memory never
/// claims what storage does not hold; a storage conflict also deactivates the grain, so the next call reloads.</para>
/// <para>Single-threaded by the grain's scheduler: no locks.</para>
/// </remarks>
internal sealed class GrainWriteBatch(Func<Task> write, Action onConflict)
{
    private List<Pending> _queue = [];
    private bool _draining;

    /// <summary>Queues <paramref name="change"/> for the next write and completes once that write succeeded.</summary>
    /// <param name="change">Applies one change to the state and returns its undo, or null when the state did not change.
    /// Runs on the grain's scheduler; if it throws it must have changed nothing, and only its caller sees the error.</param>
    public Task RunAsync(Func<Action?> change)
    {
        var pending = new Pending(change, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        _queue.Add(pending);
        if (!_draining)
        {
            _draining = true;
            _ = DrainAsync();
        }

        return pending.Done.Task;
    }

    private async Task DrainAsync()
    {
        // Lets the calls that arrived together queue behind the first before its write starts.
        await Task.Yield();
        while (_queue.Count > 0)
        {
            var batch = _queue;
            _queue = [];
            await CommitAsync(batch);
        }

        _draining = false;
    }

    private async Task CommitAsync(List<Pending> batch)
    {
        var undos = new List<Action>();
        var applied = new List<Pending>(batch.Count);
        foreach (var pending in batch)
        {
            try
            {
                if (pending.Change() is { } undo)
                {
                    undos.Add(undo);
                }

                applied.Add(pending);
            }
            catch (Exception e)
            {
                pending.Done.TrySetException(e);
            }
        }

        if (undos.Count > 0)
        {
            try
            {
                await write();
            }
            catch (Exception e)
            {
                for (var i = undos.Count - 1; i >= 0; i--)
                {
                    undos[i]();
                }

                if (e is InconsistentStateException)
                {
                    onConflict();
                }

                foreach (var pending in applied)
                {
                    pending.Done.TrySetException(e);
                }

                return;
            }
        }

        foreach (var pending in applied)
        {
            pending.Done.TrySetResult();
        }
    }

    private sealed record Pending(Func<Action?> Change, TaskCompletionSource Done);
}
