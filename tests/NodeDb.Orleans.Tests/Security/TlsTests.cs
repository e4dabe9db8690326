using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NodeDb.Orleans.Tests.Azure;
using NodeDb.Orleans.Tests.Client;
using NodeDb.Orleans.Tests.Failover;
using NodeDb.Orleans.Tests.Firing;
using Orleans.Configuration;

namespace NodeDb.Orleans.Tests.Security;

/// <summary>
/// The azure profile's default transport: silo processes talk to each other and to clients over TLS with a certificate
/// the test made; a client that speaks plain TCP gets nothing.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class TlsTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Silos_and_clients_talk_over_tls_and_a_plaintext_client_is_refused()
    {
        await using var cluster = await AzureProcessCluster.StartAsync(await azurite.EnsureStartedAsync(), silos: 2);
        await using var client = await ClusterClient.ConnectAsync(cluster);
        var tenant = "tls" + Guid.NewGuid().ToString("N")[..8];
        var names = Enumerable.Range(0, 20).Select(i => $"s{i:D2}").ToList();
        foreach (var name in names)
        {
            await client.Client.GetGrain<IScheduleGrain>(ScheduleKey.Of(tenant, name)).CreateAsync(
                new ScheduleDefinition { Tenant = tenant, Name = name, Cron = "0 0 1 1 *", Body = "BEGIN SELECT 1; END" });
        }

        // The tenant's name index is 64 grains placed over both silos: listing it needs the silo-to-silo link.
        Assert.Equal(names, await client.Client.GetGrain<ITenantSchedulesGrain>(tenant).ListAsync());

        // nodedb over TLS, pinning the certificate; and the same command in plain TCP, which no silo answers.
        var gateway = cluster.Silos[0]!.Gateway;
        var tool = new NodeDbTool(gateway, tenant, new Dictionary<string, string>
        {
            ["NODEDB_KEY"] = TestKeys.ClusterAdmin,
            ["NODEDB_TLS_THUMBPRINT"] = TestCertificate.Instance.Thumbprint,
        });
        Assert.Equal(20, (await tool.JsonAsync("schedule", "list", "--cluster-id", cluster.ClusterId)).AsArray().Count);
        var plainTool = new NodeDbTool(gateway, tenant, new Dictionary<string, string> { ["NODEDB_KEY"] = TestKeys.ClusterAdmin });
        var plain = await plainTool.RunAsync("schedule", "list", "--cluster-id", cluster.ClusterId, "--connect-timeout", "2", "--retry-for", "2");
        Assert.Equal(3, plain.ExitCode);

        // A wrong pin is refused too: TLS with a certificate the client does not trust.
        var wrongPin = await new NodeDbTool(gateway, tenant, new Dictionary<string, string>
        {
            ["NODEDB_KEY"] = TestKeys.ClusterAdmin,
            ["NODEDB_TLS_THUMBPRINT"] = new string('0', 40),
        }).RunAsync("schedule", "list", "--cluster-id", cluster.ClusterId, "--connect-timeout", "2", "--retry-for", "2");
        Assert.Equal(3, wrongPin.ExitCode);

        // A .NET client without TLS (but with a valid key) cannot connect, let alone call.
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(c =>
        {
            c.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = cluster.ClusterId;
                o.ServiceId = cluster.ServiceId;
            });
            c.UseStaticClustering(System.Net.IPEndPoint.Parse(gateway));
            c.PresentKey();
        });
        using var host = builder.Build();
        using var guard = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        guard.CancelAfter(TimeSpan.FromSeconds(30));
        var reached = false;
        try
        {
            await host.StartAsync(guard.Token);
            var listed = await host.Services.GetRequiredService<IClusterClient>().GetGrain<ITenantSchedulesGrain>(tenant).ListAsync().WaitAsync(guard.Token);
            reached = listed.Length > 0;
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            // Refused: the gateway speaks TLS only.
        }

        Assert.False(reached, "a plaintext client reached the cluster");
    }
}
