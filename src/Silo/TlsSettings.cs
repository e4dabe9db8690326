namespace NodeDb.Orleans.Silo;

/// <summary>TLS on the gateway and between silos. Bound from the <c>Tls</c> section (<c>--Tls:CertificatePath …</c>, <c>Tls__CertificatePath</c>).</summary>
public sealed class TlsSettings
{
    public const string SectionName = "Tls";

    /// <summary>On or off; unset means on in the azure profile and off in the embedded one (which listens on loopback only).</summary>
    public bool? Enabled { get; set; }

    /// <summary>A PKCS#12 (.pfx) file with the silo's certificate and its private key.</summary>
    public string? CertificatePath { get; set; }

    public string? CertificatePassword { get; set; }

    /// <summary>
    /// Certificate thumbprints (SHA-1, hex; separated by ',' or ';') a peer may present: pins the silos' and, with
    /// <see cref="RequireClientCertificate"/>, the clients' certificates. Empty: the peer's chain must validate.
    /// </summary>
    public string? TrustedThumbprints { get; set; }

    /// <summary>Mutual TLS: every connection, clients included, must present a trusted certificate. Defaults to false.</summary>
    public bool RequireClientCertificate { get; set; }

    public IReadOnlySet<string> Thumbprints =>
        (TrustedThumbprints ?? "").Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => t.ToUpperInvariant())
            .ToHashSet(StringComparer.Ordinal);
}
