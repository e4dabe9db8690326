using System.Diagnostics.CodeAnalysis;

namespace NodeDb.Orleans.Security;

/// <summary>
/// The text of an API key: <c>ndb.{scope}.{id}.{secret}</c>. The scope (a tenant, or <see cref="ClusterScope"/>) and the
/// id are public and let the silo find the key's record; the secret is 256 random bits in base64url.
/// </summary>
public static class ApiKeyText
{
    /// <summary>The scope of keys that act for the whole service; no tenant can be named so (tenants start with a letter or digit).</summary>
    public const string ClusterScope = "_cluster";

    public const string Prefix = "ndb";

    public static string Format(string scope, string id, string secret) => $"{Prefix}.{scope}.{id}.{secret}";

    /// <summary>Splits a key's text; false for anything that is not shaped like a key (the text itself is never echoed).</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out string? scope, [NotNullWhen(true)] out string? id, [NotNullWhen(true)] out string? secret)
    {
        scope = id = secret = null;
        if (string.IsNullOrEmpty(text) || text.Length > 200)
        {
            return false;
        }

        var parts = text.Trim().Split('.');
        if (parts.Length != 4 || parts[0] != Prefix || parts[1].Length is 0 or > 64 || parts[2].Length is 0 or > 32 || parts[3].Length < 16)
        {
            return false;
        }

        (scope, id, secret) = (parts[1], parts[2], parts[3]);
        return true;
    }
}
