using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace NodeDb.Orleans.Grains.Security;

/// <summary>Generates key ids and secrets, hashes secrets and compares hashes in constant time.</summary>
/// <remarks>
/// A secret is 256 random bits, so one round of SHA-256 is enough: a slow password hash protects guessable
/// passwords, and these are not guessable.
/// </remarks>
public static class KeyMaterial
{
    public static string NewId() => "k" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    public static string NewSecret() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static string NewKey(string scope) => ApiKeyText.Format(scope, NewId(), NewSecret());

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    public static bool Matches(string storedHash, string secret)
    {
        var expected = Encoding.ASCII.GetBytes(storedHash);
        var actual = Encoding.ASCII.GetBytes(Hash(secret));
        return CryptographicOperations.FixedTimeEquals(expected, actual);
    }

    /// <summary>Writes a secret to a new file only its owner can read (0600 on Unix); false when the file already exists.</summary>
    public static bool TryCreateSecretFile(string path, string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using var stream = new FileStream(path, options);
            using var writer = new StreamWriter(stream, new UTF8Encoding(false));
            writer.Write(content);
            writer.Write('\n');
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            return false;
        }
    }

    /// <summary>Reads a secret file, refusing one that others may read: a key file is the local trust, like a Unix socket's mode.</summary>
    public static string ReadSecretFile(string path, string what)
    {
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
            {
                throw new InvalidOperationException($"{what} file {path} may be read by others (mode {Convert.ToString((int)mode, 8)}): chmod 600 {path}.");
            }
        }

        var text = File.ReadAllText(path).Trim();
        return text.Length > 0 ? text : throw new InvalidOperationException($"{what} file {path} is empty.");
    }
}
