using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Runtime;

namespace NodeDb.Orleans.Grains.Storage;

/// <summary>
/// Orleans reminder table in the SQLite table <c>reminders</c>, for the embedded profile.
/// </summary>
/// <remarks>
/// <para>Rows are keyed by (ServiceId, grain id, reminder name), so a restarted cluster with the same
/// <see cref="ClusterOptions.ServiceId"/> finds its reminders again. <c>start_at</c> and <c>period</c>
/// are stored as UTC ticks, so they round-trip exactly. <c>grain_hash</c> is
/// <see cref="GrainId.GetUniformHashCode"/>, indexed for the ring-range reads each silo makes.</para>
/// <para>Upsert always wins and returns a fresh ETag; remove succeeds only with the current ETag.</para>
/// </remarks>
public sealed class SqliteReminderTable : IReminderTable, IDisposable
{
    /// <summary>The options name under which <see cref="SqliteStorageOptions"/> for reminders are registered.</summary>
    public const string OptionsName = "SqliteReminders";

    internal const string Schema = """
        CREATE TABLE IF NOT EXISTS reminders (
            service_id    TEXT    NOT NULL,
            grain_id      TEXT    NOT NULL,
            reminder_name TEXT    NOT NULL,
            start_at      INTEGER NOT NULL,
            period        INTEGER NOT NULL,
            etag          TEXT    NOT NULL,
            grain_hash    INTEGER NOT NULL,
            PRIMARY KEY (service_id, grain_id, reminder_name)
        );
        CREATE INDEX IF NOT EXISTS reminders_by_hash ON reminders (service_id, grain_hash);
        """;

    private const string Columns = "grain_id, reminder_name, start_at, period, etag";

    private readonly SqliteDatabase _database;
    private readonly SqliteGroupCommit _commits;
    private readonly string _serviceId;

    /// <summary>Creates the table over the configured file; the schema is created on start or first use.</summary>
    /// <param name="options">Validated options naming the database.</param>
    /// <param name="clusterOptions">Supplies the ServiceId that scopes every row.</param>
    public SqliteReminderTable(SqliteStorageOptions options, IOptions<ClusterOptions> clusterOptions)
        : this(options, clusterOptions, queues: null)
    {
    }

    /// <param name="queues">The silo's commit queues: upserts share the transactions of the grain storage on the same file.</param>
    internal SqliteReminderTable(SqliteStorageOptions options, IOptions<ClusterOptions> clusterOptions, SqliteCommitQueues? queues)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clusterOptions);
        _serviceId = clusterOptions.Value.ServiceId;
        _database = new SqliteDatabase(options, Schema);
        _commits = queues?.For(_database) ?? new SqliteGroupCommit(_database);
    }

    /// <inheritdoc/>
    public Task Init() => _database.EnsureCreatedAsync();

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken = default) =>
        _database.EnsureCreatedAsync().WaitAsync(cancellationToken);

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    /// <inheritdoc/>
    public async Task<ReminderTableData> ReadRows(GrainId grainId)
    {
        await using var connection = await _database.OpenAsync(CancellationToken.None);
        await using var command = Command(connection, $"SELECT {Columns} FROM reminders WHERE service_id = $service AND grain_id = $grain;");
        command.Parameters.AddWithValue("$grain", grainId.ToString());
        return new ReminderTableData(await ReadEntriesAsync(command));
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Ring semantics as Orleans' own ranges: when <paramref name="begin"/> &lt; <paramref name="end"/>
    /// the hash must lie in (begin, end]; otherwise the range wraps around zero (hash &gt; begin or
    /// hash &lt;= end), and begin == end means the whole ring.
    /// </remarks>
    public async Task<ReminderTableData> ReadRows(uint begin, uint end)
    {
        var range = begin < end
            ? "grain_hash > $begin AND grain_hash <= $end"
            : "(grain_hash > $begin OR grain_hash <= $end)";
        await using var connection = await _database.OpenAsync(CancellationToken.None);
        await using var command = Command(connection, $"SELECT {Columns} FROM reminders WHERE service_id = $service AND {range};");
        command.Parameters.AddWithValue("$begin", (long)begin);
        command.Parameters.AddWithValue("$end", (long)end);
        return new ReminderTableData(await ReadEntriesAsync(command));
    }

    /// <inheritdoc/>
    /// <returns>The entry, or <see langword="null"/> when there is none (as Orleans' reminder service expects).</returns>
    public async Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName)
    {
        await using var connection = await _database.OpenAsync(CancellationToken.None);
        await using var command = Command(connection,
            $"SELECT {Columns} FROM reminders WHERE service_id = $service AND grain_id = $grain AND reminder_name = $name;");
        command.Parameters.AddWithValue("$grain", grainId.ToString());
        command.Parameters.AddWithValue("$name", reminderName);
        var entries = await ReadEntriesAsync(command);
        return entries.Count == 0 ? null : entries[0];
    }

    /// <inheritdoc/>
    /// <remarks>Group-committed with the other writes queued at the same moment (a bulk create registers thousands).</remarks>
    public async Task<string?> UpsertRow(ReminderEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var etag = Guid.NewGuid().ToString("N");
        var grain = entry.GrainId.ToString();
        var start = ToUtc(entry.StartAt).Ticks;
        var hash = (long)entry.GrainId.GetUniformHashCode();
        // A shared queue opens connections through whichever instance created it: this table must exist either way.
        await _database.EnsureCreatedAsync();
        await _commits.RunAsync(scope =>
        {
            var command = Command(scope, """
                INSERT INTO reminders (service_id, grain_id, reminder_name, start_at, period, etag, grain_hash)
                VALUES ($service, $grain, $name, $start, $period, $etag, $hash)
                ON CONFLICT (service_id, grain_id, reminder_name)
                DO UPDATE SET start_at = excluded.start_at, period = excluded.period, etag = excluded.etag, grain_hash = excluded.grain_hash;
                """);
            command.Parameters.AddWithValue("$grain", grain);
            command.Parameters.AddWithValue("$name", entry.ReminderName);
            command.Parameters.AddWithValue("$start", start);
            command.Parameters.AddWithValue("$period", entry.Period.Ticks);
            command.Parameters.AddWithValue("$etag", etag);
            command.Parameters.AddWithValue("$hash", hash);
            command.ExecuteNonQuery();
        });
        entry.ETag = etag;
        return etag;
    }

    /// <inheritdoc/>
    public async Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag)
    {
        var removed = false;
        await _database.EnsureCreatedAsync();
        await _commits.RunAsync(scope =>
        {
            var command = Command(scope,
                "DELETE FROM reminders WHERE service_id = $service AND grain_id = $grain AND reminder_name = $name AND etag = $etag;");
            command.Parameters.AddWithValue("$grain", grainId.ToString());
            command.Parameters.AddWithValue("$name", reminderName);
            command.Parameters.AddWithValue("$etag", eTag ?? string.Empty);
            removed = command.ExecuteNonQuery() > 0;
        });
        return removed;
    }

    /// <inheritdoc/>
    /// <remarks>Removes only this service's rows.</remarks>
    public async Task TestOnlyClearTable()
    {
        using var writer = await _database.EnterWriteAsync(CancellationToken.None);
        await using var connection = await _database.OpenAsync(CancellationToken.None);
        await using var command = Command(connection, "DELETE FROM reminders WHERE service_id = $service;");
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Releases the pooled connections to the database file.</summary>
    public void Dispose() => _database.Dispose();

    /// <summary>A command of a group-committed batch, prepared once per batch, with the service bound.</summary>
    private SqliteCommand Command(SqliteWriteScope scope, string sql)
    {
        var command = scope.Command(sql);
        command.Parameters.AddWithValue("$service", _serviceId);
        return command;
    }

    private SqliteCommand Command(SqliteConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$service", _serviceId);
        return command;
    }

    private static async Task<List<ReminderEntry>> ReadEntriesAsync(SqliteCommand command)
    {
        var entries = new List<ReminderEntry>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            entries.Add(new ReminderEntry
            {
                GrainId = GrainId.Parse(reader.GetString(0)),
                ReminderName = reader.GetString(1),
                StartAt = new DateTime(reader.GetInt64(2), DateTimeKind.Utc),
                Period = TimeSpan.FromTicks(reader.GetInt64(3)),
                ETag = reader.GetString(4),
            });
        }

        return entries;
    }

    // The reminder service passes UTC; an Unspecified value is taken as UTC rather than shifted by the local zone.
    private static DateTime ToUtc(DateTime value) => value.Kind switch
    {
        DateTimeKind.Local => value.ToUniversalTime(),
        DateTimeKind.Unspecified => DateTime.SpecifyKind(value, DateTimeKind.Utc),
        _ => value,
    };
}
