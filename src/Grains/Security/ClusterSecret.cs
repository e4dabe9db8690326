using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace NodeDb.Orleans.Grains.Security;

/// <summary>
/// The proof that a call was made by a silo of this cluster: an HMAC of the configured cluster secret, put in the
/// request context of every call a silo makes (<see cref="InternalCallStamp"/>) and checked by
/// <see cref="AuthorizationFilter"/>.
/// </summary>
/// <remarks>
/// Why not trust the caller's id: Orleans' gateway forwards a client's message with whatever sending-grain id the
/// client wrote in it (Orleans 10 does not check it against the connection), so a crafted client can claim to be a
/// grain. It cannot produce this token without the secret, which never leaves the silos.
/// </remarks>
public sealed class ClusterSecret
{
    public const string RequestContextKey = "nodedb.internal";

    public ClusterSecret(IOptions<SecurityOptions> options)
    {
        var o = options.Value;
        var secret = o.ClusterSecret is { Length: > 0 } given ? given.Trim() : LoadOrCreate(o.ClusterSecretFile!);
        Token = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), "nodedb-internal-call-v1"u8));
    }

    /// <summary>The value silos stamp on their calls.</summary>
    public string Token { get; }

    /// <summary>Compares in constant time and without allocating: every call a silo receives is checked.</summary>
    public bool Matches(object? presented) =>
        presented is string text && CryptographicOperations.FixedTimeEquals(MemoryMarshal.AsBytes(Token.AsSpan()), MemoryMarshal.AsBytes(text.AsSpan()));

    private static string LoadOrCreate(string path)
    {
        KeyMaterial.TryCreateSecretFile(path, KeyMaterial.NewSecret() + KeyMaterial.NewSecret());
        return KeyMaterial.ReadSecretFile(path, "The cluster secret");
    }
}
