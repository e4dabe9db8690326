using System.Net;

namespace NodeDb.Orleans.Client.Connection;

/// <summary>Where and as whom the client connects, from the global options and the environment.</summary>
public sealed record ClientSettings
{
    public required IPEndPoint Gateway { get; init; }

    /// <summary>The tenant asked for (<c>--tenant</c>), or null: then the key's tenant (<c>default</c> for a cluster-scope key).</summary>
    public string? Tenant { get; init; }

    /// <summary><c>--key</c> as given.</summary>
    public string? KeyOption { get; init; }

    /// <summary><c>--key-file</c> as given.</summary>
    public string? KeyFileOption { get; init; }

    /// <summary>Connect over TLS (<c>--tls</c>; implied by <c>--tls-thumbprint</c>).</summary>
    public bool Tls { get; init; }

    /// <summary>The gateway certificate's pinned SHA-1 thumbprint, or null to validate its chain.</summary>
    public string? TlsThumbprint { get; init; }

    /// <summary>The name the gateway's certificate must carry; null for the gateway's address.</summary>
    public string? TlsHost { get; init; }

    public string ClusterId { get; init; } = "nodedb";

    public string ServiceId { get; init; } = "nodedb";

    /// <summary>How long to keep trying when no silo answers at the gateway at start. Defaults to 5 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long to keep retrying a call that failed with a connection or gateway error. Defaults to 20 s.</summary>
    public TimeSpan RetryFor { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>How long one call may take (a SQL statement can be slow). Defaults to 330 s, above the server's 300 s SQL budget.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(330);
}
