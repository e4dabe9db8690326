using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace NodeDb.Orleans.Benchmarks.Postgres;

/// <summary>
/// A throw-away PostgreSQL server for one scenario: initdb into a temporary directory, trust auth, loopback and a
/// free port, removed on dispose. As root it runs as the <c>postgres</c> OS user (PostgreSQL refuses root).
/// </summary>
/// <remarks>
/// Unlike the test fixture it keeps PostgreSQL's durability defaults (fsync, synchronous_commit, full_page_writes
/// on): the benchmark measures a user's workload, where a commit is on disk.
/// </remarks>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly string _directory;
    private readonly string _bin;

    private PostgresServer(string directory, string bin, int port)
    {
        _directory = directory;
        _bin = bin;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The server binaries' directory, or null when PostgreSQL is not installed (scripts/postgres/install.sh).</summary>
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

    /// <summary>Whether the server can load pg_cron (Debian package postgresql-15-cron, scripts/postgres/install-pg-cron.sh).</summary>
    public static bool HasPgCron() =>
        FindBinaries() is { } bin && File.Exists(Path.Combine(Path.GetDirectoryName(bin)!, "lib", "pg_cron.so"));

    /// <summary>A connection string as the superuser <c>postgres</c> (no password: trust on loopback).</summary>
    public string ConnectionString(string database = "postgres") =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Timeout=15;Command Timeout=120";

    /// <param name="settings">Extra <c>-c name=value</c> server settings, for example pg_cron's.</param>
    public static async Task<PostgresServer> StartAsync(BenchSettings bench, IReadOnlyDictionary<string, string>? settings = null)
    {
        var bin = FindBinaries()
            ?? throw new InvalidOperationException("PostgreSQL server binaries are missing: no /usr/lib/postgresql/*/bin/postgres. Run scripts/postgres/install.sh.");
        var directory = Path.Combine(Path.GetTempPath(), "nodedb-bench-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory);
        if (IsRoot() && !OperatingSystem.IsWindows())
        {
            // The server runs as the postgres OS user and creates its data and socket files in here.
            File.SetUnixFileMode(directory, (UnixFileMode)0b111_111_111);
        }

        var server = new PostgresServer(directory, bin, FreePort());
        await RunAsync(Path.Combine(bin, "initdb"), $"-D {directory}/data -U postgres -A trust -E UTF8 --no-sync --no-instructions");
        var options = $"-k {directory} -h 127.0.0.1 -p {server.Port} -c max_connections=300";
        if (bench.PostgresAsyncCommit)
        {
            options += " -c synchronous_commit=off";
        }

        foreach (var (name, value) in settings ?? new Dictionary<string, string>())
        {
            options += $" -c {name}={value}";
        }

        await RunAsync(Path.Combine(bin, "pg_ctl"), $"-D {directory}/data -l {directory}/server.log -w -t 60 -o \"{options}\" start");
        return server;
    }

    public Task CreateDatabaseAsync(string name) => ExecuteAsync("postgres", $"CREATE DATABASE \"{name}\"");

    public async Task ExecuteAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Every row of a query, each as an array of column values.</summary>
    public async Task<List<object?[]>> QueryAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

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
