using Microsoft.Data.Sqlite;

namespace NodeDb.Orleans.Grains.History;

/// <summary>History rows in a SQLite table (the embedded profile): one row per (tenant, run id), indexed for newest-first queries.</summary>
/// <remarks>
/// WAL mode lets several silos on one machine share the file; each call is one short transaction. Commits use
/// <c>synchronous=NORMAL</c>, as the grain storage does: a process crash loses nothing committed, and the rows a
/// power loss could take are still in their schedules' persisted outboxes. Writes from this process (appends,
/// removals, prunes) queue on one gate and run off the caller's thread, so a tenant's history grain can gather the
/// appends that arrive meanwhile into the next transaction (group commit). Queries run off the caller's thread too:
/// Microsoft.Data.Sqlite's I/O is synchronous, and a statement waiting for the file's lock (up to the 30 s busy
/// timeout) must not hold the calling grain's turn.
/// </remarks>
public sealed class SqliteHistoryStore : IHistoryStore
{
    private const string Columns =
        "run_id, schedule, status, trig, scheduled_at, covers_from, count, started_at, finished_at, reason, error, attempt, silo, owner, recorded_at";

    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    public SqliteHistoryStore(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 30 }.ToString();
        using var connection = Open();
        Execute(connection, """
            PRAGMA journal_mode=WAL;
            CREATE TABLE IF NOT EXISTS run_history (
                tenant TEXT NOT NULL, run_id TEXT NOT NULL, schedule TEXT NOT NULL, status INTEGER NOT NULL, trig INTEGER NOT NULL,
                scheduled_at INTEGER NULL, covers_from INTEGER NULL, count INTEGER NOT NULL,
                started_at INTEGER NULL, finished_at INTEGER NULL, reason TEXT NULL, error TEXT NULL,
                attempt INTEGER NOT NULL, silo TEXT NULL, owner TEXT NOT NULL, recorded_at INTEGER NOT NULL,
                PRIMARY KEY (tenant, run_id));
            CREATE INDEX IF NOT EXISTS ix_run_history_recent ON run_history (tenant, schedule, recorded_at DESC);
            """);
    }

    public async Task AppendAsync(string tenant, IReadOnlyList<RunRecord> runs, CancellationToken cancellationToken = default)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            await Task.Run(() => Append(tenant, runs), cancellationToken);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private void Append(string tenant, IReadOnlyList<RunRecord> runs)
    {
        using var connection = Open();
        using var tx = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            INSERT INTO run_history (tenant, {Columns})
            VALUES ($tenant, $run_id, $schedule, $status, $trig, $scheduled_at, $covers_from, $count, $started_at, $finished_at,
                    $reason, $error, $attempt, $silo, $owner, $recorded_at)
            ON CONFLICT (tenant, run_id) DO UPDATE SET
                schedule = excluded.schedule, status = excluded.status, trig = excluded.trig, scheduled_at = excluded.scheduled_at,
                covers_from = excluded.covers_from, count = excluded.count, started_at = excluded.started_at,
                finished_at = excluded.finished_at, reason = excluded.reason, error = excluded.error, attempt = excluded.attempt,
                silo = excluded.silo, owner = excluded.owner, recorded_at = excluded.recorded_at
            """;
        foreach (var run in runs)
        {
            command.Parameters.Clear();
            command.Parameters.AddWithValue("$tenant", tenant);
            command.Parameters.AddWithValue("$run_id", run.RunId);
            command.Parameters.AddWithValue("$schedule", run.Schedule);
            command.Parameters.AddWithValue("$status", (int)run.Status);
            command.Parameters.AddWithValue("$trig", (int)run.Trigger);
            command.Parameters.AddWithValue("$scheduled_at", Ticks(run.ScheduledAt));
            command.Parameters.AddWithValue("$covers_from", Ticks(run.CoversFrom));
            command.Parameters.AddWithValue("$count", run.Count);
            command.Parameters.AddWithValue("$started_at", Ticks(run.StartedAt));
            command.Parameters.AddWithValue("$finished_at", Ticks(run.FinishedAt));
            command.Parameters.AddWithValue("$reason", (object?)run.Reason ?? DBNull.Value);
            command.Parameters.AddWithValue("$error", (object?)run.Error ?? DBNull.Value);
            command.Parameters.AddWithValue("$attempt", run.Attempt);
            command.Parameters.AddWithValue("$silo", (object?)run.Silo ?? DBNull.Value);
            command.Parameters.AddWithValue("$owner", run.Owner);
            command.Parameters.AddWithValue("$recorded_at", run.RecordedAt.UtcTicks);
            command.ExecuteNonQuery();
        }

        tx.Commit();
    }

    public Task<IReadOnlyList<RunRecord>> QueryAsync(string tenant, HistoryQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return Task.Run(() => Query(tenant, query), cancellationToken);
    }

    private IReadOnlyList<RunRecord> Query(string tenant, HistoryQuery query)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {Columns} FROM run_history
            WHERE tenant = $tenant AND ($schedule IS NULL OR schedule = $schedule) AND ($status IS NULL OR status = $status)
            ORDER BY recorded_at DESC, scheduled_at DESC, run_id DESC
            LIMIT $limit
            """;
        command.Parameters.AddWithValue("$tenant", tenant);
        command.Parameters.AddWithValue("$schedule", (object?)query.Schedule ?? DBNull.Value);
        command.Parameters.AddWithValue("$status", query.Status is { } s ? (int)s : DBNull.Value);
        command.Parameters.AddWithValue("$limit", query.Limit);
        var rows = new List<RunRecord>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            rows.Add(new RunRecord
            {
                RunId = reader.GetString(0),
                Tenant = tenant,
                Schedule = reader.GetString(1),
                Status = (RunStatus)reader.GetInt32(2),
                Trigger = (RunTrigger)reader.GetInt32(3),
                ScheduledAt = Instant(reader, 4),
                CoversFrom = Instant(reader, 5),
                Count = reader.GetInt32(6),
                StartedAt = Instant(reader, 7),
                FinishedAt = Instant(reader, 8),
                Reason = reader.IsDBNull(9) ? null : reader.GetString(9),
                Error = reader.IsDBNull(10) ? null : reader.GetString(10),
                Attempt = reader.GetInt32(11),
                Silo = reader.IsDBNull(12) ? null : reader.GetString(12),
                Owner = reader.GetString(13),
                RecordedAt = new DateTimeOffset(reader.GetInt64(14), TimeSpan.Zero),
            });
        }

        return rows;
    }

    public Task<int> RemoveScheduleAsync(string tenant, string schedule, CancellationToken cancellationToken = default) =>
        WriteAsync(() => RemoveSchedule(tenant, schedule), cancellationToken);

    public Task<int> PruneAsync(string tenant, string schedule, int keepPerSchedule, DateTimeOffset olderThan, CancellationToken cancellationToken = default) =>
        WriteAsync(() => Prune(tenant, schedule, keepPerSchedule, olderThan), cancellationToken);

    /// <summary>A write on the thread pool, behind the same gate as the appends (SQLite admits one writer at a time).</summary>
    private async Task<int> WriteAsync(Func<int> write, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            return await Task.Run(write, cancellationToken);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private int RemoveSchedule(string tenant, string schedule)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM run_history WHERE tenant = $tenant AND schedule = $schedule";
        command.Parameters.AddWithValue("$tenant", tenant);
        command.Parameters.AddWithValue("$schedule", schedule);
        return command.ExecuteNonQuery();
    }

    private int Prune(string tenant, string schedule, int keepPerSchedule, DateTimeOffset olderThan)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            DELETE FROM run_history WHERE tenant = $tenant AND schedule = $schedule AND (recorded_at < $cutoff OR run_id IN (
                SELECT run_id FROM run_history WHERE tenant = $tenant AND schedule = $schedule
                ORDER BY recorded_at DESC, scheduled_at DESC, run_id DESC LIMIT -1 OFFSET $keep))
            """;
        command.Parameters.AddWithValue("$tenant", tenant);
        command.Parameters.AddWithValue("$schedule", schedule);
        command.Parameters.AddWithValue("$cutoff", olderThan.UtcTicks);
        command.Parameters.AddWithValue("$keep", keepPerSchedule);
        return command.ExecuteNonQuery();
    }

    private static object Ticks(DateTimeOffset? instant) => instant is { } i ? i.UtcTicks : DBNull.Value;

    private static DateTimeOffset? Instant(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : new DateTimeOffset(reader.GetInt64(ordinal), TimeSpan.Zero);

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;");
        return connection;
    }
}
