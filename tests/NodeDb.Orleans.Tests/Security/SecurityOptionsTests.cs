using NodeDb.Orleans.Grains.Security;
using NodeDb.Orleans.Security;
using NodeDb.Orleans.Silo;
using NodeDb.Orleans.Silo.Profiles;

namespace NodeDb.Orleans.Tests.Security;

/// <summary>A silo without its secrets, or with bad ones, refuses to start and says which setting; never echoing a key.</summary>
public sealed class SecurityOptionsTests
{
    private static readonly string Secret = new('s', 40);

    [Fact]
    public void A_silo_needs_the_cluster_secret_and_the_bootstrap_key()
    {
        var noSecret = Assert.Throws<ArgumentException>(() => new SecurityOptions { BootstrapKey = TestKeys.NewKey(ApiKeyText.ClusterScope) }.Validate());
        Assert.Contains("Security:ClusterSecret", noSecret.Message, StringComparison.Ordinal);

        var noKey = Assert.Throws<ArgumentException>(() => new SecurityOptions { ClusterSecret = Secret }.Validate());
        Assert.Contains("Security:BootstrapKey", noKey.Message, StringComparison.Ordinal);

        var shortSecret = Assert.Throws<ArgumentException>(() => new SecurityOptions { ClusterSecret = "short", BootstrapKey = TestKeys.NewKey(ApiKeyText.ClusterScope) }.Validate());
        Assert.Contains("5 characters", shortSecret.Message, StringComparison.Ordinal);

        new SecurityOptions { ClusterSecret = Secret, BootstrapKey = TestKeys.NewKey(ApiKeyText.ClusterScope) }.Validate();
        new SecurityOptions { ClusterSecretFile = "/tmp/x", BootstrapKeyFile = "/tmp/y" }.Validate();
    }

    [Fact]
    public void A_tenant_key_cannot_be_the_bootstrap_key_and_the_message_does_not_echo_it()
    {
        var tenantKey = TestKeys.NewKey("acme");
        var refused = Assert.Throws<ArgumentException>(() => new SecurityOptions { ClusterSecret = Secret, BootstrapKey = tenantKey }.Validate());
        Assert.Contains("not a cluster-scope key", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(tenantKey, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Secret_files_are_created_once_with_owner_only_permissions()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("nodedb-secret-").FullName, "sub", "cluster-admin.key");
        var first = BootstrapKey.Resolve(new SecurityOptions { BootstrapKeyFile = path }, out var created);
        var again = BootstrapKey.Resolve(new SecurityOptions { BootstrapKeyFile = path }, out var createdAgain);

        Assert.Equal((true, false, first), (created, createdAgain, again));
        Assert.True(ApiKeyText.TryParse(first, out var scope, out _, out _));
        Assert.Equal(ApiKeyText.ClusterScope, scope);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
            var open = Assert.Throws<InvalidOperationException>(() => BootstrapKey.Resolve(new SecurityOptions { BootstrapKeyFile = path }, out _));
            Assert.Contains("chmod 600", open.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_azure_profile_will_not_run_without_tls_unless_told_to()
    {
        var builder = new TestSiloBuilder();
        var missing = Assert.Throws<ArgumentException>(() => SiloTls.Configure(builder, new TlsSettings(), onByDefault: true));
        Assert.Contains("Tls:CertificatePath", missing.Message, StringComparison.Ordinal);

        Assert.False(SiloTls.Configure(builder, new TlsSettings { Enabled = false }, onByDefault: true));
        Assert.False(SiloTls.Configure(builder, new TlsSettings(), onByDefault: false));
        var certificate = TestCertificate.Instance;
        Assert.True(SiloTls.Configure(builder, new TlsSettings { CertificatePath = certificate.PfxPath, CertificatePassword = certificate.Password }, onByDefault: true));
    }

    /// <summary>Just enough of a silo builder to collect configuration.</summary>
    private sealed class TestSiloBuilder : ISiloBuilder
    {
        public Microsoft.Extensions.DependencyInjection.IServiceCollection Services { get; } = new Microsoft.Extensions.DependencyInjection.ServiceCollection();

        public Microsoft.Extensions.Configuration.IConfiguration Configuration { get; } = new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build();
    }
}
