using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Connections.Security;
using Orleans.Hosting;

namespace NodeDb.Orleans.Client.Connection;

/// <summary>An Orleans client connected to the gateway of <see cref="ClientSettings"/>; quiet (no logging) and fast to start.</summary>
public sealed class ClusterConnection : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly TimeProvider _time;

    private ClusterConnection(IHost host, TimeProvider time)
    {
        _host = host;
        _time = time;
        Client = host.Services.GetRequiredService<IClusterClient>();
    }

    public IClusterClient Client { get; }

    /// <summary>Connects, retrying with backoff for <see cref="ClientSettings.ConnectTimeout"/> while no silo answers.</summary>
    /// <exception cref="UnreachableException">No silo answered at the gateway in time.</exception>
    public static async Task<ClusterConnection> ConnectAsync(ClientSettings settings, TimeProvider time, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Args = [] });
        var deadline = time.GetUtcNow() + settings.ConnectTimeout;
        var delay = TimeSpan.FromMilliseconds(200);
        var attempts = 0;
        Exception? first = null;
        builder.UseOrleansClient(client =>
        {
            client.UseStaticClustering(settings.Gateway);
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = settings.ClusterId;
                o.ServiceId = settings.ServiceId;
            });
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = settings.CallTimeout);
            if (settings.Tls)
            {
                var pinned = settings.TlsThumbprint?.Replace(":", "", StringComparison.Ordinal).ToUpperInvariant();
                client.UseTls(o =>
                {
                    o.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
                    o.RemoteCertificateValidation = (certificate, _, errors) =>
                        pinned is not null ? string.Equals(certificate.Thumbprint, pinned, StringComparison.OrdinalIgnoreCase) : errors == System.Net.Security.SslPolicyErrors.None;
                    o.OnAuthenticateAsClient = (_, tls) => tls.TargetHost = settings.TlsHost ?? settings.Gateway.Address.ToString();
                });
            }

            client.UseConnectionRetryFilter(async (exception, ct) =>
            {
                attempts++;
                // Orleans' later attempts only say "will retry"; the first one carries the socket's reason.
                first ??= exception;
                var left = deadline - time.GetUtcNow();
                if (left <= TimeSpan.Zero || !TransientErrors.MaybeDelivered(exception))
                {
                    return false;
                }

                await Task.Delay(delay < left ? delay : left, time, ct);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
                return true;
            });
        });

        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken);
            return new ClusterConnection(host, time);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            host.Dispose();
            var reason = Innermost(first ?? e).Message.TrimEnd('.');
            throw new UnreachableException(
                string.Create(System.Globalization.CultureInfo.InvariantCulture, $"no silo answered at the gateway {settings.Gateway} (cluster '{settings.ClusterId}') after {Math.Max(attempts, 1)} attempt(s) over {settings.ConnectTimeout.TotalSeconds:0.#} s: {reason}. Start one with 'dotnet run --project src/Silo' or pass --gateway HOST:PORT."),
                e);
        }
    }

    private static Exception Innermost(Exception e) => e.InnerException is { } inner ? Innermost(inner) : e;

    public async ValueTask DisposeAsync()
    {
        try
        {
            // A bounded, best-effort goodbye: the command's answer is already printed.
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2), _time);
            await _host.StopAsync(stop.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or global::Orleans.Runtime.OrleansException)
        {
            // Shutting down a client whose gateway went away is not the user's problem.
        }

        _host.Dispose();
    }
}
