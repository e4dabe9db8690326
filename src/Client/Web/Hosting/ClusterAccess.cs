using NodeDb.Orleans.Client.Connection;

namespace NodeDb.Orleans.Client.Web.Hosting;

/// <summary>
/// The one Orleans client of the process, connected on first use (so the web process may start before the silos) and
/// again after a failed connect. It presents no key of its own: every call carries the key of the request it serves.
/// </summary>
public sealed class ClusterAccess(WebOptions options, TimeProvider time) : IAsyncDisposable
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private ClusterConnection? _connection;

    /// <summary>The connected client.</summary>
    /// <exception cref="UnreachableException">No silo answered at the gateway.</exception>
    public async Task<IClusterClient> ClientAsync(CancellationToken cancellationToken)
    {
        if (_connection is { } ready)
        {
            return ready.Client;
        }

        await _lock.WaitAsync(cancellationToken);
        try
        {
            _connection ??= await ClusterConnection.ConnectAsync(options.ToClientSettings(), time, cancellationToken);
            return _connection.Client;
        }
        finally
        {
            _lock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is { } c)
        {
            await c.DisposeAsync();
        }

        _lock.Dispose();
    }
}
