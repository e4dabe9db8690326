using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Runtime;
using Orleans.Storage;

namespace NodeDb.Orleans.Grains.Storage;

/// <summary>
/// Orleans grain storage in one SQLite table, <c>grain_state</c>, for the embedded profile.
/// </summary>
/// <remarks>
/// <para>Optimistic concurrency as Orleans expects: every write or clear names the ETag the activation
/// last saw (<see langword="null"/> for "no row"); if the row's ETag differs, the operation changes
/// nothing and throws <see cref="InconsistentStateException"/> carrying both ETags, which makes Orleans
/// drop the activation so the next call reloads. Compare-and-write happens inside a <c>BEGIN IMMEDIATE</c>
/// transaction, so it is atomic across silos and processes sharing the file; writes queued at the same
/// moment share one transaction (<see cref="SqliteGroupCommit"/>), each with its own ETag check.</para>
/// <para>Clearing deletes the row; a later write must then come with a <see langword="null"/> ETag.</para>
/// <para>Rows are keyed by grain type, grain key and state name, not by ServiceId: one data directory
/// holds one service.</para>
/// </remarks>
public sealed partial class SqliteGrainStorage : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    internal const string Schema = """
        CREATE TABLE IF NOT EXISTS grain_state (
            grain_type  TEXT NOT NULL,
            grain_key   TEXT NOT NULL,
            state_name  TEXT NOT NULL,
            etag        TEXT NOT NULL,
            data        BLOB NOT NULL,
            modified_at TEXT NOT NULL,
            PRIMARY KEY (grain_type, grain_key, state_name)
        );
        """;

    private const string KeyFilter = "grain_type = $type AND grain_key = $key AND state_name = $state";
    private const string ReadSql = $"SELECT etag, data FROM grain_state WHERE {KeyFilter};";
    private const string EtagSql = $"SELECT etag FROM grain_state WHERE {KeyFilter};";
    private const string InsertSql =
        "INSERT INTO grain_state (grain_type, grain_key, state_name, etag, data, modified_at) VALUES ($type, $key, $state, $etag, $data, $now);";
    private const string UpdateSql = $"UPDATE grain_state SET etag = $etag, data = $data, modified_at = $now WHERE {KeyFilter};";
    private const string DeleteSql = $"DELETE FROM grain_state WHERE {KeyFilter};";

    private readonly string _name;
    private readonly SqliteDatabase _database;
    private readonly SqliteGroupCommit _commits;
    private readonly SqliteGroupRead _reads;
    private readonly IGrainStorageSerializer _serializer;
    private readonly ILogger<SqliteGrainStorage> _logger;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates the provider; the schema is created at silo start or on first use.</summary>
    /// <param name="name">The provider name, as used in <c>[PersistentState(stateName, name)]</c>.</param>
    /// <param name="options">Validated options with <see cref="SqliteStorageOptions.GrainStorageSerializer"/> set.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="timeProvider">The clock for <c>modified_at</c>.</param>
    public SqliteGrainStorage(string name, SqliteStorageOptions options, ILogger<SqliteGrainStorage> logger, TimeProvider timeProvider)
        : this(name, options, logger, timeProvider, queues: null)
    {
    }

    /// <param name="queues">The silo's commit queues, so the reminder table on the same file shares this provider's transactions.</param>
    internal SqliteGrainStorage(string name, SqliteStorageOptions options, ILogger<SqliteGrainStorage> logger, TimeProvider timeProvider, SqliteCommitQueues? queues)
    {
        ArgumentNullException.ThrowIfNull(options);
        _name = name;
        _serializer = options.GrainStorageSerializer
            ?? throw new ArgumentException($"{nameof(SqliteStorageOptions.GrainStorageSerializer)} is not set.", nameof(options));
        _database = new SqliteDatabase(options, Schema);
        _commits = queues?.For(_database) ?? new SqliteGroupCommit(_database);
        _reads = new SqliteGroupRead(_database);
        _logger = logger;
        _timeProvider = timeProvider;
    }

    /// <inheritdoc/>
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ReadStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <inheritdoc/>
    /// <remarks>
    /// Microsoft.Data.Sqlite's methods complete synchronously, so reads run off the caller, grouped (<see cref="SqliteGroupRead"/>):
    /// a read that waits for the file's lock (up to <see cref="SqliteStorageOptions.BusyTimeout"/>) never holds the
    /// activating grain's turn or its scheduler's thread. Only the deserialization runs on the caller.
    /// </remarks>
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        var row = await _reads.RunAsync(scope => ReadRow(scope, stateName, grainId)).WaitAsync(cancellationToken);
        if (row is not var (etag, data))
        {
            // The state stays as the caller made it; only the "exists" facts are reset.
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }

        grainState.State = _serializer.Deserialize<T>(BinaryData.FromBytes(data)) ?? Activator.CreateInstance<T>();
        grainState.ETag = etag;
        grainState.RecordExists = true;
    }

    private static (string Etag, byte[] Data)? ReadRow(SqliteWriteScope scope, string stateName, GrainId grainId)
    {
        using var reader = Command(scope, ReadSql, stateName, grainId).ExecuteReader();
        return reader.Read() ? (reader.GetString(0), (byte[])reader.GetValue(1)) : null;
    }

    /// <inheritdoc/>
    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        WriteStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <inheritdoc/>
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        var expected = Normalize(grainState.ETag);
        var data = _serializer.Serialize(grainState.State).ToArray();
        var newEtag = NewEtag();
        var now = _timeProvider.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);

        // A shared queue opens connections through whichever instance created it: this table must exist either way.
        await _database.EnsureCreatedAsync();
        await _commits.RunAsync(scope =>
        {
            var stored = ReadEtag(scope, stateName, grainId);
            ThrowIfConflict("write", stateName, grainId, stored, expected);
            var command = Command(scope, stored is null ? InsertSql : UpdateSql, stateName, grainId);
            command.Parameters.AddWithValue("$etag", newEtag);
            command.Parameters.Add("$data", SqliteType.Blob).Value = data;
            command.Parameters.AddWithValue("$now", now);
            command.ExecuteNonQuery();
        }).WaitAsync(cancellationToken);

        grainState.ETag = newEtag;
        grainState.RecordExists = true;
    }

    /// <inheritdoc/>
    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ClearStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <inheritdoc/>
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        var expected = Normalize(grainState.ETag);

        await _database.EnsureCreatedAsync();
        await _commits.RunAsync(scope =>
        {
            var stored = ReadEtag(scope, stateName, grainId);
            ThrowIfConflict("clear", stateName, grainId, stored, expected);
            if (stored is not null)
            {
                Command(scope, DeleteSql, stateName, grainId).ExecuteNonQuery();
            }
        }).WaitAsync(cancellationToken);

        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    /// <inheritdoc/>
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe($"{nameof(SqliteGrainStorage)}-{_name}", ServiceLifecycleStage.ApplicationServices, StartAsync);

    /// <summary>Releases the pooled connections to the database file.</summary>
    public void Dispose() => _database.Dispose();

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        // Fails silo start-up on an unusable file instead of failing the first grain activation.
        await _database.EnsureCreatedAsync().WaitAsync(cancellationToken);
        LogStarted(_logger, _name, _database.DataSource);
    }

    private void ThrowIfConflict(string operation, string stateName, GrainId grainId, string? stored, string? expected)
    {
        if (string.Equals(stored, expected, StringComparison.Ordinal))
        {
            return;
        }

        LogConflict(_logger, _name, operation, grainId, stateName, stored, expected);
        throw new InconsistentStateException(
            $"SQLite grain storage '{_name}': {operation} of state '{stateName}' for {grainId} expected ETag " +
            $"'{expected ?? "(no row)"}' but the stored ETag is '{stored ?? "(no row)"}'; another activation changed it.",
            stored ?? string.Empty,
            expected ?? string.Empty);
    }

    private static string? ReadEtag(SqliteWriteScope scope, string stateName, GrainId grainId) =>
        Command(scope, EtagSql, stateName, grainId).ExecuteScalar() as string;

    /// <summary>A command of the batch's transaction, prepared once per batch, with the row's key bound.</summary>
    private static SqliteCommand Command(SqliteWriteScope scope, string sql, string stateName, GrainId grainId)
    {
        var command = scope.Command(sql);
        command.Parameters.AddWithValue("$type", grainId.Type.ToString());
        command.Parameters.AddWithValue("$key", grainId.Key.ToString());
        command.Parameters.AddWithValue("$state", stateName);
        return command;
    }

    private static string? Normalize(string? etag) => string.IsNullOrEmpty(etag) ? null : etag;

    private static string NewEtag() => Guid.NewGuid().ToString("N");

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "SQLite grain storage {Name} uses {DataSource}")]
    private static partial void LogStarted(ILogger logger, string name, string dataSource);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning,
        Message = "SQLite grain storage {Name}: ETag conflict on {Operation} of {GrainId}/{StateName}; stored {StoredEtag}, expected {ExpectedEtag}")]
    private static partial void LogConflict(ILogger logger, string name, string operation, GrainId grainId, string stateName, string? storedEtag, string? expectedEtag);
}
