namespace NodeDb.Orleans.Client.Connection;

/// <summary>
/// Whether the client still has a gateway: a call whose silo died is otherwise only given up after the call timeout
/// (330 s, above the server's SQL budget), since Orleans does not fail a request in flight when its gateway closes.
/// </summary>
/// <remarks>Fed by Orleans' gateway-count and connection-lost notifications; thread-safe.</remarks>
public sealed class GatewayWatch
{
    private readonly Lock _lock = new();
    private TaskCompletionSource _lost = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the client loses its last gateway (after the moment it is read; a new task once a gateway is back).</summary>
    public Task Lost
    {
        get
        {
            lock (_lock)
            {
                return _lost.Task;
            }
        }
    }

    /// <summary>True while the client has no gateway.</summary>
    public bool IsLost => Lost.IsCompleted;

    public void GatewayCountChanged(int connected)
    {
        lock (_lock)
        {
            if (connected == 0)
            {
                _lost.TrySetResult();
            }
            else if (_lost.Task.IsCompleted)
            {
                _lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    public void ConnectionLost()
    {
        lock (_lock)
        {
            _lost.TrySetResult();
        }
    }
}
