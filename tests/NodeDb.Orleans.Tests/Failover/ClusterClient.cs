using NodeDb.Orleans.Tests.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace NodeDb.Orleans.Tests.Failover;

/// <summary>An Orleans client host for tests against real silo processes, with a retry for the failover window.</summary>
public sealed class ClusterClient : IAsyncDisposable
{
    private readonly IHost _host;

    private ClusterClient(IHost host) => _host = host;

    public IClusterClient Client => _host.Services.GetRequiredService<IClusterClient>();

    /// <summary>Connects through one embedded silo's gateway.</summary>
    public static Task<ClusterClient> ConnectLocalhostAsync(int gatewayPort) =>
        ConnectAsync(c => c.UseLocalhostClustering(gatewayPort, "nodedb", "nodedb"));

    /// <summary>Connects through the gateways listed in the Azure Table membership of <paramref name="cluster"/>.</summary>
    public static Task<ClusterClient> ConnectAsync(AzureProcessCluster cluster) => ConnectAsync(cluster.ConfigureClient);

    /// <summary>Calls <paramref name="call"/> until it succeeds: a silo killed by the test refuses connections for a moment.</summary>
    public static async Task<T> RetryAsync<T>(Func<Task<T>> call, int attempts = 20)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (Exception e) when (attempt < attempts && e is not NodeDbException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250 * Math.Min(attempt, 4)), TestContext.Current.CancellationToken);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _host.StopAsync(TimeSpan.FromSeconds(5));
        }
        finally
        {
            _host.Dispose();
        }
    }

    private static async Task<ClusterClient> ConnectAsync(Action<IClientBuilder> configure)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(c =>
        {
            configure(c);
            c.PresentKey();
        });
        var host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);
        return new ClusterClient(host);
    }
}
