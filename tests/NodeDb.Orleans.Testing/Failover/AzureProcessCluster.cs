using NodeDb.Orleans.Tests.Security;
using Azure.Data.Tables;
using NodeDb.Orleans.Tests.Processes;
using Orleans.Configuration;

namespace NodeDb.Orleans.Tests.Failover;

/// <summary>
/// Real silo processes on the azure profile against one Azurite (or Azure Table) endpoint, all on loopback, sharing one
/// data directory for the tenants' SQLite databases, with a random ClusterId and ServiceId. Every process is killed on
/// dispose.
/// </summary>
public sealed class AzureProcessCluster : IAsyncDisposable
{
    private readonly List<SiloProcess?> _silos = [];
    private readonly string[] _extraArguments;
    private int _started;

    private AzureProcessCluster(string connection, IEnumerable<string>? extraArguments)
    {
        ConnectionString = connection;
        _extraArguments = [.. extraArguments ?? []];
        ClusterId = "test-" + Guid.NewGuid().ToString("N")[..10];
        ServiceId = "svc-" + Guid.NewGuid().ToString("N")[..10];
        DataDirectory = Directory.CreateTempSubdirectory("nodedb-azure-").FullName;
    }

    /// <summary>The storage connection string the silos use for clustering, grain state, reminders and history.</summary>
    public string ConnectionString { get; }

    public string ClusterId { get; }

    public string ServiceId { get; }

    public string DataDirectory { get; }

    public IReadOnlyList<SiloProcess?> Silos => _silos;

    public string TenantDatabase(string tenant) => Path.Combine(DataDirectory, "tenants", tenant + ".db");

    /// <param name="connectionString">The Azure Table (Azurite) connection string.</param>
    /// <param name="silos">How many silo processes.</param>
    /// <param name="extraArguments">More silo arguments, e.g. <c>--Sql:Engine Postgres</c> and its template.</param>
    public static async Task<AzureProcessCluster> StartAsync(string connectionString, int silos, IEnumerable<string>? extraArguments = null)
    {
        var cluster = new AzureProcessCluster(connectionString, extraArguments);
        for (var i = 0; i < silos; i++)
        {
            cluster._silos.Add(null);
        }

        await Task.WhenAll(Enumerable.Range(0, silos).Select(cluster.RestartAsync));
        return cluster;
    }

    /// <summary>Points an Orleans client at this cluster: the gateways listed in its Azure Table membership.</summary>
    public void ConfigureClient(IClientBuilder client)
    {
        ArgumentNullException.ThrowIfNull(client);
        client.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = ClusterId;
            o.ServiceId = ServiceId;
        });
        client.UseAzureStorageClustering(o => o.TableServiceClient = new TableServiceClient(ConnectionString));
        client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(2));
        client.PresentKey();

        // The azure profile runs TLS by default: clients speak it and pin the test certificate.
        TestCertificate.Instance.UseOn(client);
    }

    /// <summary>Starts (or starts again, on new ports) silo number <paramref name="index"/>.</summary>
    public async Task RestartAsync(int index)
    {
        var name = $"silo{index}-{Interlocked.Increment(ref _started)}";
        _silos[index] = await SiloProcess.StartAsync(name,
        [
            "--profile", "azure",
            "--azure-storage", ConnectionString,
            "--cluster-id", ClusterId,
            "--NodeDb:ServiceId", ServiceId,
            "--data-dir", DataDirectory,
            "--shared-data-dir", // every silo of this cluster runs on this machine, on this one directory
            .. TestKeys.SiloArguments,
            .. TestCertificate.Instance.SiloArguments,
            .. _extraArguments,
        ]);
    }

    /// <summary>SIGKILLs silo number <paramref name="index"/>.</summary>
    public async Task KillAsync(int index)
    {
        if (_silos[index] is { } silo)
        {
            await silo.KillAsync();
            await silo.DisposeAsync();
            _silos[index] = null;
        }
    }

    /// <summary>
    /// Waits until silo number <paramref name="index"/> reports ready on its admin endpoint (<c>/health/ready</c>: Active
    /// in membership, storage answering, tick loop running), as a deploy waits before stopping the next host.
    /// </summary>
    public async Task WaitReadyAsync(int index, TimeSpan? limit = null)
    {
        var silo = _silos[index] ?? throw new InvalidOperationException($"Silo {index} is not running.");
        using var http = new HttpClient { BaseAddress = silo.AdminUri, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTimeOffset.UtcNow + (limit ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"Silo {silo.Name} was not ready within {(limit ?? TimeSpan.FromSeconds(60)).TotalSeconds} s:\n{silo.Output}");
            }

            await Task.Delay(250);
        }
    }

    /// <summary>
    /// Stops silo number <paramref name="index"/> gracefully (SIGTERM) and waits for the process to exit; returns how long
    /// that took and everything the silo wrote to its console.
    /// </summary>
    public async Task<(TimeSpan Took, string Output)> StopAsync(int index)
    {
        var silo = _silos[index] ?? throw new InvalidOperationException($"Silo {index} is not running.");
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        if (!await silo.StopAsync(TimeSpan.FromSeconds(60)))
        {
            throw new TimeoutException($"Silo {silo.Name} did not stop within 60 s of SIGTERM:\n{silo.Output}");
        }

        var took = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        var output = silo.Output;
        await silo.DisposeAsync();
        _silos[index] = null;
        return (took, output);
    }

    /// <summary>Which silo a history row names, by its silo port (<c>127.0.0.1:{port}@{generation}</c>); -1 if none.</summary>
    public int IndexOf(string siloAddress) =>
        _silos.FindIndex(s => s is not null && siloAddress.StartsWith($"127.0.0.1:{s.SiloPort}@", StringComparison.Ordinal));

    public async ValueTask DisposeAsync()
    {
        foreach (var silo in _silos.OfType<SiloProcess>())
        {
            await silo.DisposeAsync();
        }

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Leftover temp files are harmless.
        }
    }
}
