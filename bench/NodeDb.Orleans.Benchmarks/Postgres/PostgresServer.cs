using Npgsql;
using NodeDb.Orleans.Tests.Postgres;

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
    private readonly PostgresProcess _process;

    private PostgresServer(PostgresProcess process) => _process = process;

    public int Port => _process.Port;

    /// <summary>The server binaries' directory, or null when PostgreSQL is not installed (scripts/postgres/install.sh).</summary>
    public static string? FindBinaries() => PostgresProcess.FindBinaries();

    /// <summary>Whether the server can load pg_cron (Debian package postgresql-15-cron, scripts/postgres/install-pg-cron.sh).</summary>
    public static bool HasPgCron() =>
        FindBinaries() is { } bin && File.Exists(Path.Combine(Path.GetDirectoryName(bin)!, "lib", "pg_cron.so"));

    /// <summary>A connection string as the superuser <c>postgres</c> (no password: trust on loopback).</summary>
    public string ConnectionString(string database = "postgres") => _process.ConnectionString(database, "Timeout=15;Command Timeout=120");

    /// <param name="settings">Extra <c>-c name=value</c> server settings, for example pg_cron's.</param>
    public static async Task<PostgresServer> StartAsync(BenchSettings bench, IReadOnlyDictionary<string, string>? settings = null)
    {
        var bin = FindBinaries()
            ?? throw new InvalidOperationException("PostgreSQL server binaries are missing: no /usr/lib/postgresql/*/bin/postgres. Run scripts/postgres/install.sh.");
        var options = new List<string> { "max_connections=300" };
        if (bench.PostgresAsyncCommit)
        {
            options.Add("synchronous_commit=off");
        }

        options.AddRange((settings ?? new Dictionary<string, string>()).Select(s => $"{s.Key}={s.Value}"));
        return new PostgresServer(await PostgresProcess.StartAsync(bin, "nodedb-bench-pg-", options, TimeSpan.FromSeconds(60)));
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
        await _process.DisposeAsync();
    }
}
