using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using NodeDb.Orleans.Tests.Sql;

[assembly: AssemblyFixture(typeof(PostgresFixture))]

namespace NodeDb.Orleans.Tests.Sql;

/// <summary>
/// A throw-away PostgreSQL server for the whole test run, started on first use: initdb into a temp
/// directory, trust auth, loopback and a free port, removed on dispose.
/// </summary>
/// <remarks>
/// Missing binaries fail the asking test (never skip it), with the script to run; PostgreSQL refuses to
/// run as root, so as root the server runs as the <c>postgres</c> OS user.
/// </remarks>
public sealed class PostgresFixture : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _directory;
    private string? _bin;
    private int _port;
    private string? _startError;

    /// <summary>The sealed ledger's key the fixture's tenant databases are set up with (TenantDatabase:PostgresLedgerKey).</summary>
    public string LedgerKey { get; } = "test-ledger-key-" + Guid.NewGuid().ToString("N");

    /// <summary>The login role of <paramref name="tenant"/>, as scripts/postgres/tenant-setup.sql creates it.</summary>
    public static string TenantRole(string tenant) => "tenant_" + tenant;

    /// <summary>The connection string template a silo uses: database <c>nodedb_{tenant}</c> as login role <c>tenant_{tenant}</c>.</summary>
    public string TenantConnectionTemplate =>
        $"Host=127.0.0.1;Port={_port};Username=tenant_{{tenant}};Password=unused-with-trust;Database=nodedb_{{tenant}};Pooling=true;Timeout=5";

    /// <summary>A connection string to database <paramref name="database"/> as the superuser <c>postgres</c>.</summary>
    public string ConnectionString(string database = "postgres") =>
        $"Host=127.0.0.1;Port={_port};Username=postgres;Database={database};Pooling=true;Timeout=5";

    /// <summary>Starts the server unless it runs; fails with what to do when it cannot.</summary>
    public async Task EnsureStartedAsync()
    {
        await _gate.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            if (_startError is not null)
            {
                Assert.Fail(_startError);
            }

            if (_directory is null)
            {
                try
                {
                    await StartAsync();
                }
                catch (Exception e)
                {
                    _startError = $"PostgreSQL could not start: {e.Message}";
                    throw;
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Creates a fresh database and returns its name.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await EnsureStartedAsync();
        await ExecuteAsync("postgres", $"CREATE DATABASE \"{name}\"");
        return name;
    }

    /// <summary>
    /// Creates database <c>nodedb_{tenant}</c> and sets it up exactly as docs/operations.md prescribes, by running
    /// scripts/postgres/tenant-setup.sql in it as the superuser; returns the database name.
    /// </summary>
    public async Task<string> CreateTenantAsync(string tenant)
    {
        var database = await CreateDatabaseAsync("nodedb_" + tenant);
        var script = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "scripts", "postgres", "tenant-setup.sql"), TestContext.Current.CancellationToken);
        await ExecuteAsync(database, PsqlVariables(script, new Dictionary<string, string>
        {
            ["database"] = database,
            ["tenant_role"] = TenantRole(tenant),
            ["tenant_password"] = "unused-with-trust",
            ["ledger_key"] = LedgerKey,
        }));
        return database;
    }

    /// <summary>Runs SQL as the superuser in <paramref name="database"/>.</summary>
    public async Task ExecuteAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(database));
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>Runs a scalar query as the superuser in <paramref name="database"/>.</summary>
    public async Task<object?> ScalarAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(database));
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_directory is not null && _bin is not null)
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

        _gate.Dispose();
    }

    private static string? FindBinaries()
    {
        const string root = "/usr/lib/postgresql";
        if (!Directory.Exists(root))
        {
            return null;
        }

        return Directory.GetDirectories(root)
            .Select(d => (Dir: d, Version: decimal.TryParse(Path.GetFileName(d), System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : -1))
            .Where(x => File.Exists(Path.Combine(x.Dir, "bin", "postgres")))
            .OrderByDescending(x => x.Version)
            .Select(x => Path.Combine(x.Dir, "bin"))
            .FirstOrDefault();
    }

    /// <summary>Fills psql's <c>:"name"</c> (identifier) and <c>:'name'</c> (literal) variables, as <c>psql -v</c> would.</summary>
    private static string PsqlVariables(string script, Dictionary<string, string> variables)
    {
        foreach (var (name, value) in variables)
        {
            script = script
                .Replace($":\"{name}\"", "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"", StringComparison.Ordinal)
                .Replace($":'{name}'", "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'", StringComparison.Ordinal);
        }

        return script;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NodeDb.Orleans.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No NodeDb.Orleans.sln above {AppContext.BaseDirectory}.");
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
        var info = IsRoot()
            ? new ProcessStartInfo("runuser", $"-u postgres -- {file} {arguments}")
            : new ProcessStartInfo(file, arguments);
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

    private async Task StartAsync()
    {
        _bin = FindBinaries();
        if (_bin is null)
        {
            var ci = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase) ? " (CI=true)" : "";
            Assert.Fail($"PostgreSQL server binaries are missing{ci}: no /usr/lib/postgresql/*/bin/postgres. Run scripts/postgres/install.sh, then run the tests again.");
        }

        var directory = Path.Combine(Path.GetTempPath(), "nodedb-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory);
        if (IsRoot() && !OperatingSystem.IsWindows())
        {
            // The server runs as the postgres OS user and creates its data and socket files in here.
            // (chown is not always permitted to root in containers; an open mode is.)
            File.SetUnixFileMode(directory, (UnixFileMode)0b111_111_111);
        }

        _directory = directory;
        _port = FreePort();
        await RunAsync(Path.Combine(_bin, "initdb"), $"-D {directory}/data -U postgres -A trust -E UTF8 --no-sync --no-instructions");
        var settings = $"-k {directory} -h 127.0.0.1 -p {_port} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=60";
        await RunAsync(Path.Combine(_bin, "pg_ctl"), $"-D {directory}/data -l {directory}/server.log -w -t 30 -o \"{settings}\" start");
        await ExecuteAsync("postgres", await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "scripts", "postgres", "cluster-setup.sql")));
    }
}
