namespace NodeDb.Orleans.Tests.Storage;

[Alias("nodedb.tests.IStorageProbeGrain")]
public interface IStorageProbeGrain : IGrainWithStringKey
{
    [Alias("IncrementAsync")]
    Task<int> IncrementAsync();

    [Alias("GetAsync")]
    Task<StorageProbeState> GetAsync();

    [Alias("StartReminderAsync")]
    Task StartReminderAsync(TimeSpan dueTime, TimeSpan period);
}
