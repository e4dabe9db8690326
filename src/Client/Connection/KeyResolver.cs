using System.Net;
using NodeDb.Orleans.Security;

namespace NodeDb.Orleans.Client.Connection;

/// <summary>
/// Finds the API key the client presents, in this order: <c>--key</c>, <c>NODEDB_KEY</c>, <c>--key-file</c> or
/// <c>NODEDB_KEY_FILE</c>, <c>~/.nodedb/credentials</c>, and, for a gateway on this machine, the embedded silo's
/// <c>./.data/cluster-admin.key</c>. Files must be readable by their owner only (0600): on one machine, file
/// permissions are the trust, as with a Unix socket.
/// </summary>
public static class KeyResolver
{
    public const string KeyVariable = "NODEDB_KEY";
    public const string KeyFileVariable = "NODEDB_KEY_FILE";

    /// <summary>The embedded silo's bootstrap key, relative to the directory the silo was started in (its default data directory).</summary>
    public static readonly string LocalSiloKeyFile = Path.Combine(".data", "cluster-admin.key");

    public static string CredentialsFile =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nodedb", "credentials");

    public const string HowToGetOne =
        "pass --key KEY, set NODEDB_KEY, or point --key-file / NODEDB_KEY_FILE at a file only you can read (chmod 600); " +
        "~/.nodedb/credentials is read when present. The embedded silo writes its first cluster-admin key to " +
        "<data-dir>/cluster-admin.key on first start (its log says where), and an admin creates keys with 'nodedb key create'";

    /// <summary>The key's text and where it came from (never the key itself, for messages).</summary>
    /// <exception cref="MissingKeyException">No key anywhere, or a named key file that does not exist.</exception>
    /// <exception cref="UsageException">An unreadable or too-open file, or a malformed key.</exception>
    public static (string Key, string Origin) Resolve(string? keyOption, string? keyFileOption, IPEndPoint gateway)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        var (key, origin) = Find(keyOption, keyFileOption, gateway);
        if (!ApiKeyText.TryParse(key, out _, out _, out _))
        {
            throw new UsageException($"the API key from {origin} is malformed: a key reads ndb.<tenant or _cluster>.<id>.<secret>.");
        }

        return (key.Trim(), origin);
    }

    private static (string Key, string Origin) Find(string? keyOption, string? keyFileOption, IPEndPoint gateway)
    {
        if (!string.IsNullOrWhiteSpace(keyOption))
        {
            return (keyOption, "--key");
        }

        if (Environment.GetEnvironmentVariable(KeyVariable) is { Length: > 0 } fromEnvironment)
        {
            return (fromEnvironment, KeyVariable);
        }

        var file = !string.IsNullOrWhiteSpace(keyFileOption) ? keyFileOption : Environment.GetEnvironmentVariable(KeyFileVariable);
        if (!string.IsNullOrWhiteSpace(file))
        {
            return (ReadFile(file), file);
        }

        if (File.Exists(CredentialsFile))
        {
            return (ReadFile(CredentialsFile), CredentialsFile);
        }

        var local = Path.GetFullPath(LocalSiloKeyFile);
        if (IPAddress.IsLoopback(gateway.Address) && File.Exists(local))
        {
            return (ReadFile(local), local);
        }

        throw new MissingKeyException($"no API key: {HowToGetOne}.");
    }

    private static string ReadFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new MissingKeyException($"the key file {path} does not exist: {HowToGetOne}.");
        }

        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
            {
                throw new UsageException($"the key file {path} may be read by others (mode {Convert.ToString((int)mode, 8)}): run chmod 600 {path}.");
            }
        }

        try
        {
            // The first line that is neither empty nor a comment.
            return File.ReadLines(path).Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && !l.StartsWith('#'))
                ?? throw new UsageException($"the key file {path} holds no key.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"the key file {path} cannot be read: {e.Message}");
        }
    }
}
