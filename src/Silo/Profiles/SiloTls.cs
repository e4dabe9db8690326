using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;

namespace NodeDb.Orleans.Silo.Profiles;

/// <summary>Turns on TLS (Microsoft.Orleans.Connections.Security) for the gateway and for silo-to-silo links.</summary>
public static class SiloTls
{
    /// <summary>Applies <paramref name="tls"/>; <paramref name="onByDefault"/> when <see cref="TlsSettings.Enabled"/> is unset.</summary>
    /// <returns>Whether TLS is on.</returns>
    public static bool Configure(ISiloBuilder silo, TlsSettings tls, bool onByDefault)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(tls);
        if (!(tls.Enabled ?? onByDefault))
        {
            return false;
        }

        if (string.IsNullOrWhiteSpace(tls.CertificatePath))
        {
            throw new ArgumentException(
                "TLS is on (the azure profile's default) but Tls:CertificatePath is not set: give a .pfx with the silo's certificate and " +
                "private key (and Tls:CertificatePassword), or set Tls:Enabled=false only on a network that protects itself (docs/operations.md).");
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(tls.CertificatePath, tls.CertificatePassword);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"Tls:CertificatePath '{tls.CertificatePath}' cannot be loaded: {e.Message}");
        }

        if (!certificate.HasPrivateKey)
        {
            throw new ArgumentException($"Tls:CertificatePath '{tls.CertificatePath}' holds no private key: a silo needs its own.");
        }

        var trusted = tls.Thumbprints;
        var mode = tls.RequireClientCertificate ? RemoteCertificateMode.RequireCertificate : RemoteCertificateMode.AllowCertificate;
        silo.UseTls(certificate, o =>
        {
            o.RemoteCertificateMode = mode;
            o.ClientCertificateMode = mode;
            o.RemoteCertificateValidation = (remote, _, errors) => Trusted(remote, errors, trusted);
            o.OnAuthenticateAsClient = (_, client) => client.TargetHost = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        });
        return true;
    }

    /// <summary>A pinned thumbprint when any are configured, else a chain that validates.</summary>
    public static bool Trusted(X509Certificate2 remote, SslPolicyErrors errors, IReadOnlySet<string> thumbprints)
    {
        ArgumentNullException.ThrowIfNull(remote);
        ArgumentNullException.ThrowIfNull(thumbprints);
        return thumbprints.Count > 0 ? thumbprints.Contains(remote.Thumbprint.ToUpperInvariant()) : errors == SslPolicyErrors.None;
    }
}
