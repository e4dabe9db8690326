using Npgsql;
using NodeDb.Orleans.Tests.Postgres;
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
    private PostgresProcess? _server;
    private string? _startError;

    /// <summary>The sealed ledger's key the fixture's tenant databases are set up with (TenantDatabase:PostgresLedgerKey).</summary>
    public string LedgerKey { get; } = "test-ledger-key-" + Guid.NewGuid().ToString("N");

    /// <summary>The login role of <paramref name="tenant"/>, as scripts/postgres/tenant-setup.sql creates it.</summary>
    public static string TenantRole(string tenant) => "tenant_" + tenant;

    /// <summary>The connection string template a silo uses: database <c>nodedb_{tenant}</c> as login role <c>tenant_{tenant}</c>.</summary>
    public string TenantConnectionTemplate =>
        $"Host=127.0.0.1;Port={_server?.Port};Username=tenant_{{tenant}};Password=unused-with-trust;Database=nodedb_{{tenant}};Pooling=true;Timeout=5";

    /// <summary>A connection string to database <paramref name="database"/> as the superuser <c>postgres</c>.</summary>
    public string ConnectionString(string database = "postgres") =>
        _server!.ConnectionString(database, "Pooling=true;Timeout=5");

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

            if (_server is null)
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
        if (_server is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await _server.DisposeAsync();
        }

        _gate.Dispose();
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

    private async Task StartAsync()
    {
        var bin = PostgresProcess.FindBinaries();
        if (bin is null)
        {
            var ci = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase) ? " (CI=true)" : "";
            Assert.Fail($"PostgreSQL server binaries are missing{ci}: no /usr/lib/postgresql/*/bin/postgres. Run scripts/postgres/install.sh, then run the tests again.");
        }

        // Durability off: the tests check outcomes, not what survives a power loss (the benchmark keeps it on).
        _server = await PostgresProcess.StartAsync(
            bin, "nodedb-pg-", ["fsync=off", "synchronous_commit=off", "full_page_writes=off", "max_connections=60"], TimeSpan.FromSeconds(30));
        await ExecuteAsync("postgres", await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "scripts", "postgres", "cluster-setup.sql")));
    }
}
