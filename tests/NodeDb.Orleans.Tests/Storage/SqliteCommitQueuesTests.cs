using NodeDb.Orleans.Grains.Storage;
using Orleans.Runtime;

namespace NodeDb.Orleans.Tests.Storage;

/// <summary>
/// A silo's grain storage and reminder table on one SQLite file share one group-commit queue (issue 13: half the
/// commits of a create), and each still finds its own table whichever of them created the queue.
/// </summary>
public sealed class SqliteCommitQueuesTests : IDisposable
{
    private readonly TempDataDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void One_file_with_the_same_settings_has_one_queue_and_other_settings_get_their_own()
    {
        var queues = new SqliteCommitQueues();
        var a = new SqliteDatabase(new SqliteStorageOptions { DataDirectory = _dir.Path }, SqliteGrainStorage.Schema);
        var b = new SqliteDatabase(new SqliteStorageOptions { DataDirectory = _dir.Path }, SqliteReminderTable.Schema);
        var slower = new SqliteDatabase(new SqliteStorageOptions { DataDirectory = _dir.Path, BusyTimeout = TimeSpan.FromSeconds(31) }, SqliteReminderTable.Schema);

        Assert.Same(queues.For(a), queues.For(b));
        Assert.NotSame(queues.For(a), queues.For(slower));
    }

    [Fact]
    public async Task Writes_and_reminder_upserts_through_a_shared_queue_each_find_their_table_on_a_fresh_file()
    {
        var queues = new SqliteCommitQueues();
        using var reminders = _dir.CreateReminderTable("svc", queues);
        using var storage = _dir.CreateGrainStorage(queues: queues);
        var grain = GrainId.Create("schedule", "t/a");

        // The reminder table makes the queue (its connections ensure its own schema), and neither provider was started:
        // the grain write must still find grain_state.
        await Task.WhenAll(
            reminders.UpsertRow(new ReminderEntry { GrainId = grain, ReminderName = "r", StartAt = DateTime.UtcNow, Period = TimeSpan.FromHours(1) }),
            storage.WriteStateAsync("s", grain, new GrainState<string>("v")));

        Assert.NotNull(await reminders.ReadRow(grain, "r"));
        var read = new GrainState<string>();
        await storage.ReadStateAsync("s", grain, read);
        Assert.Equal("v", read.State);
    }
}
