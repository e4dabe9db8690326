using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;

namespace NodeDb.Orleans.Tests.Security;

/// <summary>
/// A self-signed certificate made by the tests (for server and client authentication, valid for localhost and
/// 127.0.0.1), written as a .pfx the silo processes load; peers pin its thumbprint.
/// </summary>
public sealed class TestCertificate
{
    private static readonly Lazy<TestCertificate> Shared = new(() => Create("nodedb-test"));

    private TestCertificate(string path, string password, string thumbprint)
    {
        PfxPath = path;
        Password = password;
        Thumbprint = thumbprint;
    }

    /// <summary>One certificate for the whole test run.</summary>
    public static TestCertificate Instance => Shared.Value;

    public string PfxPath { get; }

    public string Password { get; }

    public string Thumbprint { get; }

    /// <summary>The switches that give a silo process this certificate and trust only it.</summary>
    public IEnumerable<string> SiloArguments =>
        ["--Tls:CertificatePath", PfxPath, "--Tls:CertificatePassword", Password, "--Tls:TrustedThumbprints", Thumbprint];

    public static TestCertificate Create(string name)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(name);
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var path = Path.Combine(Directory.CreateTempSubdirectory("nodedb-tls-").FullName, name + ".pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, password));
        return new TestCertificate(path, password, certificate.Thumbprint);
    }

    /// <summary>Makes a .NET client speak TLS to the gateway and trust only this certificate.</summary>
    public IClientBuilder UseOn(IClientBuilder client)
    {
        ArgumentNullException.ThrowIfNull(client);
        var thumbprint = Thumbprint;
        return client.UseTls(o =>
        {
            o.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
            o.RemoteCertificateValidation = (remote, _, _) => string.Equals(remote.Thumbprint, thumbprint, StringComparison.OrdinalIgnoreCase);
            o.OnAuthenticateAsClient = (_, tls) => tls.TargetHost = "localhost";
        });
    }
}
