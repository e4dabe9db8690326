using Microsoft.Data.Sqlite;
using NodeDb.Orleans.Grains.Storage;
using Orleans.Runtime;
using Orleans.Storage;

namespace NodeDb.Orleans.Tests.Storage;

public sealed class SqliteGrainStorageTests : IDisposable
{
    private const string StateName = "probe";
    private readonly TempDataDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static GrainId NewGrainId() => GrainId.Create("probe", Guid.NewGuid().ToString("N"));

    private static GrainState<StorageProbeState> State(int value, string? etag = null) =>
        new(new StorageProbeState { Value = value, Note = $"v{value}" }, etag);

    private static async Task<GrainState<StorageProbeState>> ReadAsync(SqliteGrainStorage storage, GrainId id)
    {
        var state = new GrainState<StorageProbeState>(new StorageProbeState());
        await storage.ReadStateAsync(StateName, id, state);
        return state;
    }

    /// <summary>
    /// Microsoft.Data.Sqlite's I/O is synchronous; a read waiting for the file's lock must not hold the caller (an
    /// activating grain's turn and its scheduler's thread) for the busy timeout.
    /// </summary>
    [Fact]
    public async Task A_read_waiting_for_the_files_lock_gives_the_caller_its_thread_back()
    {
        using var storage = _dir.CreateGrainStorage();
        var id = NewGrainId();
        await storage.WriteStateAsync(StateName, id, State(5));
        var state = new GrainState<StorageProbeState>(new StorageProbeState());

        Task read;
        using (var held = SqliteFileLock.Exclusive(_dir.DatabaseFile))
        {
            read = storage.ReadStateAsync(StateName, id, state);
            Assert.False(read.IsCompleted, "the read returned only after it had waited for (or failed on) the lock");
        }

        await read;
        Assert.Equal(5, state.State!.Value);
    }

    [Fact]
    public async Task Read_of_a_missing_row_reports_no_record_and_no_etag()
    {
        using var storage = _dir.CreateGrainStorage();
        var state = new GrainState<StorageProbeState>(new StorageProbeState { Value = 7 }, "stale");

        await storage.ReadStateAsync(StateName, NewGrainId(), state);

        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
    }

    [Fact]
    public async Task Write_then_read_round_trips_state_and_etag()
    {
        using var storage = _dir.CreateGrainStorage();
        var id = NewGrainId();
        var written = State(42);

        await storage.WriteStateAsync(StateName, id, written);
        var read = await ReadAsync(storage, id);

        Assert.True(written.RecordExists);
        Assert.False(string.IsNullOrEmpty(written.ETag));
        Assert.True(read.RecordExists);
        Assert.Equal(written.ETag, read.ETag);
        Assert.Equal(42, read.State!.Value);
        Assert.Equal("v42", read.State!.Note);
    }

    [Fact]
    public async Task Each_write_issues_a_new_etag_and_state_names_are_separate_rows()
    {
        using var storage = _dir.CreateGrainStorage();
        var id = NewGrainId();
        var state = State(1);
        await storage.WriteStateAsync(StateName, id, state);
        var first = state.ETag;
        state.State!.Value = 2;
        await storage.WriteStateAsync(StateName, id, state);

        var other = new GrainState<StorageProbeState>(new StorageProbeState());
        await storage.ReadStateAsync("other", id, other);

        Assert.NotEqual(first, state.ETag);
        Assert.Equal(2, (await ReadAsync(storage, id)).State!.Value);
        Assert.False(other.RecordExists);
    }

    [Fact]
    public async Task Write_with_a_stale_etag_throws_and_leaves_the_row_alone()
    {
        using var storage = _dir.CreateGrainStorage();
        var id = NewGrainId();
        var winner = State(1);
        await storage.WriteStateAsync(StateName, id, winner);
        var loser = await ReadAsync(storage, id);
        winner.State!.Value = 2;
        await storage.WriteStateAsync(StateName, id, winner);

        loser.State!.Value = 99;
        var error = await Assert.ThrowsAnyAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, id, loser));

        Assert.Equal(winner.ETag, error.StoredEtag);
        Assert.Equal(loser.ETag, error.CurrentEtag);
        Assert.Equal(2, (await ReadAsync(storage, id)).State!.Value);
    }

    [Fact]
    public async Task Insert_without_etag_over_an_existing_row_throws()
    {
        using var storage = _dir.CreateGrainStorage();
        var id = NewGrainId();
        var existing = State(1);
        await storage.WriteStateAsync(StateName, id, existing);

        var error = await Assert.ThrowsAnyAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, id, State(5)));

        Assert.Equal(existing.ETag, error.StoredEtag);
        Assert.Equal(1, (await ReadAsync(storage, id)).State!.Value);
    }

    [Fact]
    public async Task Clear_deletes_the_row_and_a_stale_write_after_clear_throws()
    {
        using var storage = _dir.CreateGrainStorage();
        var id = NewGrainId();
        var stale = State(1);
        await storage.WriteStateAsync(StateName, id, stale);
        var clearer = await ReadAsync(storage, id);

        await storage.ClearStateAsync(StateName, id, clearer);
        var error = await Assert.ThrowsAnyAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, id, stale));

        Assert.Null(clearer.ETag);
        Assert.False(clearer.RecordExists);
        Assert.Equal(stale.ETag, error.CurrentEtag);
        Assert.False((await ReadAsync(storage, id)).RecordExists);

        // The activation that cleared may write again: its ETag is null, matching "no row".
        await storage.WriteStateAsync(StateName, id, clearer);
        Assert.True((await ReadAsync(storage, id)).RecordExists);
    }

    [Fact]
    public async Task Clear_with_a_stale_etag_throws_and_keeps_the_row()
    {
        using var storage = _dir.CreateGrainStorage();
        var id = NewGrainId();
        var stale = State(1);
        await storage.WriteStateAsync(StateName, id, stale);
        var current = await ReadAsync(storage, id);
        current.State!.Value = 2;
        await storage.WriteStateAsync(StateName, id, current);

        await Assert.ThrowsAnyAsync<InconsistentStateException>(() => storage.ClearStateAsync(StateName, id, stale));

        Assert.Equal(2, (await ReadAsync(storage, id)).State!.Value);
    }

    [Fact]
    public async Task Two_providers_on_one_file_see_each_others_writes_and_conflict()
    {
        using var silo1 = _dir.CreateGrainStorage();
        using var silo2 = _dir.CreateGrainStorage();
        var id = NewGrainId();
        var onSilo1 = State(1);
        await silo1.WriteStateAsync(StateName, id, onSilo1);

        var onSilo2 = await ReadAsync(silo2, id);
        onSilo2.State!.Value = 2;
        await silo2.WriteStateAsync(StateName, id, onSilo2);
        onSilo1.State!.Value = 3;

        await Assert.ThrowsAnyAsync<InconsistentStateException>(() => silo1.WriteStateAsync(StateName, id, onSilo1));
        var seenBySilo1 = await ReadAsync(silo1, id);

        Assert.Equal(2, seenBySilo1.State!.Value);
        Assert.Equal(onSilo2.ETag, seenBySilo1.ETag);
    }

    [Fact]
    public async Task Concurrent_writers_on_one_file_do_not_fail_with_busy()
    {
        using var silo1 = _dir.CreateGrainStorage();
        using var silo2 = _dir.CreateGrainStorage();
        var ids = Enumerable.Range(0, 40).Select(_ => NewGrainId()).ToArray();

        // Each grain is written five times in sequence; the two "silos" and all grains run in parallel.
        await Task.WhenAll(ids.Select((id, i) => Task.Run(async () =>
        {
            var storage = i % 2 == 0 ? silo1 : silo2;
            var state = State(0);
            for (var n = 1; n <= 5; n++)
            {
                state.State!.Value = n;
                await storage.WriteStateAsync(StateName, id, state);
            }
        }, TestContext.Current.CancellationToken)));

        foreach (var id in ids)
        {
            Assert.Equal(5, (await ReadAsync(silo1, id)).State!.Value);
        }
    }

    [Fact]
    public async Task Writes_queued_together_share_statements_but_each_keeps_its_own_etag_check()
    {
        using var storage = _dir.CreateGrainStorage();
        var ids = Enumerable.Range(0, 30).Select(_ => NewGrainId()).ToArray();
        var first = ids.Select(_ => State(1)).ToArray();
        await Task.WhenAll(ids.Select((id, i) => storage.WriteStateAsync(StateName, id, first[i])));

        // All queued at once, so they share transactions and prepared statements; every third names a stale ETag.
        var writes = ids.Select((id, i) => storage.WriteStateAsync(StateName, id, State(2, i % 3 == 0 ? "stale" : first[i].ETag))).ToArray();
        for (var i = 0; i < ids.Length; i++)
        {
            if (i % 3 == 0)
            {
                await Assert.ThrowsAsync<InconsistentStateException>(() => writes[i]);
            }
            else
            {
                await writes[i];
            }
        }

        for (var i = 0; i < ids.Length; i++)
        {
            var read = await ReadAsync(storage, ids[i]);
            Assert.Equal(i % 3 == 0 ? 1 : 2, read.State!.Value);
            Assert.Equal($"v{read.State.Value}", read.State.Note);
        }
    }

    [Fact]
    public async Task State_survives_disposing_and_reopening_the_provider()
    {
        var id = NewGrainId();
        var written = State(17);
        using (var before = _dir.CreateGrainStorage())
        {
            await before.WriteStateAsync(StateName, id, written);
        }

        using var after = _dir.CreateGrainStorage();
        var read = await ReadAsync(after, id);

        Assert.Equal(17, read.State!.Value);
        Assert.Equal(written.ETag, read.ETag);
    }

    [Fact]
    public async Task Every_connection_handed_out_has_its_providers_pragmas_also_when_pooled_and_shared()
    {
        // Same connection string (so one pool), different synchronous modes: each provider must get its own settings
        // on every open, though the pragmas are applied only once per pooled native connection.
        using var full = new SqliteDatabase(new SqliteStorageOptions { DataDirectory = _dir.Path, FlushEveryCommit = true }, SqliteGrainStorage.Schema);
        using var normal = new SqliteDatabase(new SqliteStorageOptions { DataDirectory = _dir.Path }, SqliteGrainStorage.Schema);

        foreach (var (database, synchronous) in new[] { (full, 2L), (full, 2L), (normal, 1L), (full, 2L), (normal, 1L), (normal, 1L) })
        {
            await using var connection = await database.OpenAsync(TestContext.Current.CancellationToken);
            Assert.Equal(10_000L, Pragma(connection, "busy_timeout"));
            Assert.Equal(synchronous, Pragma(connection, "synchronous"));
        }
    }

    private static long Pragma(SqliteConnection connection, string name)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA {name};";
        return (long)command.ExecuteScalar()!;
    }

    [Fact]
    public async Task The_database_is_in_wal_mode()
    {
        using var storage = _dir.CreateGrainStorage();
        await storage.WriteStateAsync(StateName, NewGrainId(), State(1));

        await using var connection = new SqliteConnection($"Data Source={_dir.DatabaseFile};Pooling=False");
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";

        Assert.Equal("wal", await command.ExecuteScalarAsync(TestContext.Current.CancellationToken) as string);
    }
}
