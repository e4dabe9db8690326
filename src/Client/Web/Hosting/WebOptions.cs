using System.Net;
using NodeDb.Orleans.Client.Connection;

namespace NodeDb.Orleans.Client.Web.Hosting;

/// <summary>The web client's settings (configuration section <c>Web</c>; switches <c>--gateway</c>, <c>--path-base</c>…). Validated at start.</summary>
public sealed class WebOptions
{
    public const string Section = "Web";

    /// <summary>Where the process listens when <c>--urls</c> is not given: loopback only.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5080";

    /// <summary>The silo gateway, <c>HOST:PORT</c>.</summary>
    public string Gateway { get; set; } = GatewayAddress.Default;

    public string ClusterId { get; set; } = "nodedb";

    public string ServiceId { get; set; } = "nodedb";

    /// <summary>Connect to the gateway over TLS.</summary>
    public bool Tls { get; set; }

    public string? TlsThumbprint { get; set; }

    public string? TlsHost { get; set; }

    /// <summary>A fixed base path (<c>/nodedb</c>) when a reverse proxy forwards a sub-path without <c>X-Forwarded-Prefix</c>.</summary>
    public string? PathBase { get; set; }

    /// <summary>
    /// Addresses of reverse proxies whose <c>X-Forwarded-Prefix</c>, <c>-Proto</c> and <c>-For</c> are believed (besides
    /// loopback, always trusted). A proxy not listed here cannot set the base path or the scheme.
    /// </summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>How long a dashboard sign-in lasts. Defaults to 8 hours.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>How often the live view polls the run history of the schedule or tenant it shows. Defaults to 1 s.</summary>
    public TimeSpan LivePollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The checked gateway endpoint.</summary>
    public IPEndPoint GatewayEndPoint() =>
        GatewayAddress.TryParse(Gateway, out var why) ?? throw new InvalidOperationException($"Web:Gateway '{Gateway}' is invalid: {why}.");

    /// <summary>Why these settings cannot work, or null.</summary>
    public string? Problem()
    {
        if (GatewayAddress.TryParse(Gateway, out var why) is null)
        {
            return $"Web:Gateway '{Gateway}' is invalid: {why}.";
        }

        if (PathBase is { Length: > 0 } p && (!p.StartsWith('/') || p.EndsWith('/')))
        {
            return $"Web:PathBase '{p}' is invalid: it must start with '/' and not end with one (for example /nodedb).";
        }

        if (KnownProxies.FirstOrDefault(p => !IPAddress.TryParse(p, out _)) is { } badProxy)
        {
            return $"Web:KnownProxies '{badProxy}' is invalid: give IP addresses.";
        }

        if (SessionLifetime <= TimeSpan.Zero || SessionLifetime > TimeSpan.FromDays(30))
        {
            return $"Web:SessionLifetime {SessionLifetime} is invalid: give more than 0 and at most 30 days.";
        }

        if (LivePollInterval < TimeSpan.FromMilliseconds(100) || LivePollInterval > TimeSpan.FromMinutes(1))
        {
            return $"Web:LivePollInterval {LivePollInterval} is invalid: give 100 ms to 1 min.";
        }

        return null;
    }

    public ClientSettings ToClientSettings() => new()
    {
        Gateway = GatewayEndPoint(),
        ClusterId = ClusterId,
        ServiceId = ServiceId,
        Tls = Tls || TlsThumbprint is not null,
        TlsThumbprint = TlsThumbprint,
        TlsHost = TlsHost,
        // A web request should not hang for the CLI's long SQL budget.
        CallTimeout = TimeSpan.FromSeconds(30),
        ConnectTimeout = TimeSpan.FromSeconds(10),
    };
}
