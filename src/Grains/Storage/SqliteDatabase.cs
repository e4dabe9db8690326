using System.Globalization;
using Microsoft.Data.Sqlite;

namespace NodeDb.Orleans.Grains.Storage;

/// <summary>
/// One SQLite file shared by the grain storage and the reminder table: opens configured connections
/// and creates the schema once per instance.
/// </summary>
/// <remarks>
/// Connections are pooled by Microsoft.Data.Sqlite, so opening one per operation is cheap; the
/// per-connection pragmas are applied once per native connection (a pooled connection may be fresh).
/// </remarks>
internal sealed class SqliteDatabase : IDisposable
{
    private readonly string _connectionString;
    private readonly string _pragmas;
    private readonly string _schema;
    private readonly Lock _schemaGate = new();
    private Task? _schemaCreated;

    public SqliteDatabase(SqliteStorageOptions options, string schema)
    {
        _schema = schema;
        var builder = new SqliteConnectionStringBuilder(options.ConnectionString ?? string.Empty);
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            Directory.CreateDirectory(options.DataDirectory!);
            builder.DataSource = Path.Combine(options.DataDirectory!, SqliteStorageOptions.DatabaseFileName);
        }

        builder.Mode = SqliteOpenMode.ReadWriteCreate;
        builder.Pooling = true;
        // Microsoft.Data.Sqlite retries SQLITE_BUSY until the command timeout; keep both waits equal.
        builder.DefaultTimeout = Math.Max(1, (int)Math.Ceiling(options.BusyTimeout.TotalSeconds));
        _connectionString = builder.ToString();
        DataSource = builder.DataSource;

        var busyMs = ((long)options.BusyTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        var synchronous = options.FlushEveryCommit ? "FULL" : "NORMAL";
        _pragmas = $"PRAGMA busy_timeout = {busyMs}; PRAGMA synchronous = {synchronous};";
    }

    /// <summary>The file path or connection target, for log messages.</summary>
    public string DataSource { get; }

    /// <summary>Equal for two instances whose writes may share a transaction: same file, same connection settings.</summary>
    public string CommitKey => _connectionString + "\n" + _pragmas;

    /// <summary>Creates the schema (idempotent, also across processes sharing the file).</summary>
    public Task EnsureCreatedAsync()
    {
        lock (_schemaGate)
        {
            // A failed attempt (say, the file was locked past the busy timeout) is retried by the next caller.
            if (_schemaCreated is null || _schemaCreated.IsFaulted || _schemaCreated.IsCanceled)
            {
                _schemaCreated = CreateSchemaAsync();
            }

            return _schemaCreated;
        }
    }

    /// <summary>
    /// Waits, asynchronously, until no other write to this file from this process is in progress. SQLite admits one
    /// writer at a time anyway; queueing here instead of in SQLite's busy handler keeps threads from sleeping in
    /// retries when thousands of schedules claim occurrences in the same second.
    /// </summary>
    public async Task<IDisposable> EnterWriteAsync(CancellationToken cancellationToken)
    {
        var gate = WriteGates.GetOrAdd(DataSource, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        return new Releaser(gate);
    }

    /// <summary>Begins a write transaction that takes the write lock at once (<c>BEGIN IMMEDIATE</c>).</summary>
    /// <remarks>
    /// A deferred transaction that reads and then writes can fail with SQLITE_BUSY without waiting when
    /// another connection committed in between; taking the lock up front makes the busy timeout apply.
    /// </remarks>
    public static SqliteTransaction BeginWrite(SqliteConnection connection) => connection.BeginTransaction(deferred: false);

    /// <summary>Opens a connection with the busy timeout and synchronous mode applied, after the schema exists.</summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync();
        return await OpenRawAsync(cancellationToken);
    }

    /// <summary>Closes the pooled connections to this file, so the handles are released on silo shutdown.</summary>
    public void Dispose()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    private async Task<SqliteConnection> OpenRawAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            if (connection.Handle is { } handle && Configured.TryGetValue(handle, out var applied) && string.Equals(applied, _pragmas, StringComparison.Ordinal))
            {
                // A pooled connection this instance configured before: the pragmas hold for the handle's lifetime.
                return connection;
            }

            using var command = connection.CreateCommand();
            command.CommandText = _pragmas;
            await command.ExecuteNonQueryAsync(cancellationToken);
            if (connection.Handle is { } configured)
            {
                Configured.AddOrUpdate(configured, _pragmas);
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private async Task CreateSchemaAsync()
    {
        await using var connection = await OpenRawAsync(CancellationToken.None);
        // WAL is a property of the file and persists; it lets readers run beside the one writer, and
        // with synchronous=NORMAL a commit is in the OS page cache before it returns (see docs/storage-sqlite.md).
        await using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            await wal.ExecuteScalarAsync();
        }

        await using var transaction = BeginWrite(connection);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = _schema;
        await command.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
    }

    /// <summary>
    /// The pragmas last applied to each native connection the pool hands out: applying them on every open prepared and ran
    /// two statements per storage operation. Weak, so a handle the pool closes leaves nothing behind; valued by the
    /// pragma text, so two providers with different settings on one file each apply theirs.
    /// </summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<object, string> Configured = new();

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, SemaphoreSlim> WriteGates =
        new(StringComparer.Ordinal);

    private sealed class Releaser(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}
