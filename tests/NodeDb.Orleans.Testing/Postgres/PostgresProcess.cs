using System.Diagnostics;
using System.Globalization;
using NodeDb.Orleans.Tests.Processes;

namespace NodeDb.Orleans.Tests.Postgres;

/// <summary>
/// A throw-away PostgreSQL server process, shared by the test fixture and the benchmark: initdb into a temporary
/// directory, trust auth, loopback and a free port, stopped and removed on dispose. As root it runs as the
/// <c>postgres</c> OS user (PostgreSQL refuses root).
/// </summary>
public sealed class PostgresProcess : IAsyncDisposable
{
    private readonly string _directory;
    private readonly string _bin;

    private PostgresProcess(string directory, string bin, int port)
    {
        _directory = directory;
        _bin = bin;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The newest installed server's binaries, or null when PostgreSQL is not installed (scripts/postgres/install.sh).</summary>
    public static string? FindBinaries()
    {
        const string root = "/usr/lib/postgresql";
        if (!Directory.Exists(root))
        {
            return null;
        }

        return Directory.GetDirectories(root)
            .Select(d => (Dir: d, Version: decimal.TryParse(Path.GetFileName(d), CultureInfo.InvariantCulture, out var v) ? v : -1))
            .Where(x => File.Exists(Path.Combine(x.Dir, "bin", "postgres")))
            .OrderByDescending(x => x.Version)
            .Select(x => Path.Combine(x.Dir, "bin"))
            .FirstOrDefault();
    }

    /// <summary>A connection string as the superuser <c>postgres</c> (no password: trust on loopback).</summary>
    public string ConnectionString(string database, string extra = "") =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};{extra}";

    /// <param name="bin">The server binaries (<see cref="FindBinaries"/>).</param>
    /// <param name="prefix">The temporary directory's name prefix.</param>
    /// <param name="settings">The server's <c>-c name=value</c> settings, joined into pg_ctl's options.</param>
    /// <param name="startLimit">How long pg_ctl waits for the server to accept connections.</param>
    public static async Task<PostgresProcess> StartAsync(string bin, string prefix, IEnumerable<string> settings, TimeSpan startLimit)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var directory = Path.Combine(Path.GetTempPath(), prefix + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory);
        if (IsRoot() && !OperatingSystem.IsWindows())
        {
            // The server runs as the postgres OS user and creates its data and socket files in here.
            // (chown is not always permitted to root in containers; an open mode is.)
            File.SetUnixFileMode(directory, (UnixFileMode)0b111_111_111);
        }

        var server = new PostgresProcess(directory, bin, Ports.Free());
        await RunAsync(Path.Combine(bin, "initdb"), $"-D {directory}/data -U postgres -A trust -E UTF8 --no-sync --no-instructions");
        var options = string.Join(' ', new[] { $"-k {directory} -h 127.0.0.1 -p {server.Port}" }.Concat(settings.Select(s => "-c " + s)));
        await RunAsync(
            Path.Combine(bin, "pg_ctl"),
            string.Create(CultureInfo.InvariantCulture, $"-D {directory}/data -l {directory}/server.log -w -t {(int)startLimit.TotalSeconds} -o \"{options}\" start"));
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await RunAsync(Path.Combine(_bin, "pg_ctl"), $"-D {_directory}/data -m immediate -w stop", throwOnError: false);
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless; the next run uses a fresh one.
        }
    }

    private static bool IsRoot() => Environment.UserName == "root";

    private static async Task RunAsync(string file, string arguments, bool throwOnError = true)
    {
        var info = IsRoot() ? new ProcessStartInfo("runuser", $"-u postgres -- {file} {arguments}") : new ProcessStartInfo(file, arguments);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.WorkingDirectory = "/tmp";
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0 && throwOnError)
        {
            throw new InvalidOperationException($"{file} {arguments} exited with {process.ExitCode}: {await stderr}{await stdout}");
        }
    }
}
