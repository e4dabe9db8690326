using System.Buffers.Text;
using System.Security.Cryptography;
using NodeDb.Orleans.Security;

namespace NodeDb.Orleans.Tests.Security;

/// <summary>
/// The cluster-admin key and cluster secret test silos start with (new for each test run), and the client side that
/// presents the key. Test clients authenticate like any client: the silos' filter is not relaxed for tests.
/// </summary>
public static class TestKeys
{
    /// <summary>The bootstrap cluster-admin key of every test silo.</summary>
    public static readonly string ClusterAdmin = NewKey(ApiKeyText.ClusterScope);

    public static readonly string ClusterSecret = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(48));

    /// <summary>The switches that give a silo process the test key and secret (configuration keys on the command line).</summary>
    public static IEnumerable<string> SiloArguments =>
        ["--Security:BootstrapKey", ClusterAdmin, "--Security:ClusterSecret", ClusterSecret];

    /// <summary>Makes a client present <paramref name="key"/> (the cluster-admin key by default) on every call.</summary>
    public static IClientBuilder PresentKey(this IClientBuilder client, string? key = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        return client.AddOutgoingGrainCallFilter(new ApiKeyPresenter(key ?? ClusterAdmin));
    }

    /// <summary>
    /// Presents <paramref name="key"/> instead of the client's default on the calls made until disposed
    /// (<c>""</c>: no key at all). The request context flows with the awaits of the calling method.
    /// </summary>
    public static IDisposable As(string key)
    {
        var before = RequestContext.Get(ApiKeyPresenter.RequestContextKey);
        RequestContext.Set(ApiKeyPresenter.RequestContextKey, key);
        return new Restore(before);
    }

    public static string NewKey(string scope) =>
        ApiKeyText.Format(scope, "k" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)), Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32)));

    private sealed class Restore(object? before) : IDisposable
    {
        public void Dispose()
        {
            if (before is null)
            {
                RequestContext.Remove(ApiKeyPresenter.RequestContextKey);
            }
            else
            {
                RequestContext.Set(ApiKeyPresenter.RequestContextKey, before);
            }
        }
    }
}
