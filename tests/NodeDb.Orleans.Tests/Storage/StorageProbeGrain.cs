using System.Collections.Concurrent;

namespace NodeDb.Orleans.Tests.Storage;

/// <summary>A grain whose state lives in the "sqlite" provider and whose reminder lives in the SQLite table.</summary>
public sealed class StorageProbeGrain(
    [PersistentState("probe", SqliteClusterRestartTests.StorageName)] IPersistentState<StorageProbeState> state)
    : Grain, IStorageProbeGrain, IRemindable
{
    public const string ReminderName = "probe-reminder";

    /// <summary>Tests wait here for a reminder tick of the grain with the given key.</summary>
    public static readonly ConcurrentDictionary<string, TaskCompletionSource<int>> ReminderTicked = new();

    public async Task<int> IncrementAsync()
    {
        state.State.Value++;
        await state.WriteStateAsync();
        return state.State.Value;
    }

    public Task<StorageProbeState> GetAsync() => Task.FromResult(state.State);

    public Task StartReminderAsync(TimeSpan dueTime, TimeSpan period) =>
        this.RegisterOrUpdateReminder(ReminderName, dueTime, period);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        state.State.ReminderTicks++;
        await state.WriteStateAsync();
        if (ReminderTicked.TryGetValue(this.GetPrimaryKeyString(), out var waiter))
        {
            waiter.TrySetResult(state.State.Value);
        }
    }
}
