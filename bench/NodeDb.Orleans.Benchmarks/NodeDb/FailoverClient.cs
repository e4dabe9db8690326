using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NodeDb.Orleans.Tests.Failover;

namespace NodeDb.Orleans.Benchmarks.NodeDb;

/// <summary>
/// An Orleans client of an <see cref="AzureProcessCluster"/> for S4 and S6. Every call is retried until its deadline: while
/// a killed silo is being declared dead, calls routed to it fail or time out.
/// </summary>
public sealed class FailoverClient : IAsyncDisposable
{
    private static readonly TimeSpan CallLimit = TimeSpan.FromSeconds(60);
    private readonly IHost _host;

    private FailoverClient(IHost host) => _host = host;

    public IClusterClient Client => _host.Services.GetRequiredService<IClusterClient>();

    public static async Task<FailoverClient> ConnectAsync(AzureProcessCluster cluster)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Critical);
        builder.UseOrleansClient(cluster.ConfigureClient);
        var host = builder.Build();
        await host.StartAsync();
        return new FailoverClient(host);
    }

    public Task CreateAsync(ScheduleDefinition definition) =>
        CallAsync(c => c.GetGrain<IScheduleGrain>(definition.Key).CreateAsync(definition, replace: true));

    public Task DisableAsync(string tenant, string name) =>
        CallAsync(c => c.GetGrain<IScheduleGrain>(ScheduleKey.Of(tenant, name)).SetEnabledAsync(false));

    public Task<ScheduleStatus?> StatusAsync(string tenant, string name) =>
        CallAsync(c => c.GetGrain<IScheduleGrain>(ScheduleKey.Of(tenant, name)).GetStatusAsync());

    public async Task<IReadOnlyList<RunRecord>> HistoryAsync(string tenant, string name) =>
        await CallAsync(c => c.GetGrain<IJobHistoryGrain>(tenant).QueryAsync(new HistoryQuery { Schedule = name, Limit = 10_000 }));

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

    private async Task<T> CallAsync<T>(Func<IClusterClient, Task<T>> call)
    {
        var deadline = DateTimeOffset.UtcNow + CallLimit;
        var pause = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            try
            {
                return await call(Client);
            }
            catch (Exception e) when (e is not NodeDbException && DateTimeOffset.UtcNow < deadline)
            {
                await Task.Delay(pause);
                pause = TimeSpan.FromMilliseconds(Math.Min(pause.TotalMilliseconds * 2, 1000));
            }
        }
    }
}
