using NodeDb.Orleans.Benchmarks.Measuring;
using Orleans;
using Orleans.Runtime;

namespace NodeDb.Orleans.Benchmarks.NodeDb;

/// <summary>Counts every reminder-table operation except start-up and shutdown.</summary>
public sealed class CountingReminderTable(IReminderTable inner, StorageCounter counter) : IReminderTable
{
    // Init is the obsolete spelling of StartAsync.
    public Task Init() => inner.StartAsync();

    public Task StartAsync(CancellationToken cancellationToken = default) => inner.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken = default) => inner.StopAsync(cancellationToken);

    public Task<ReminderTableData> ReadRows(GrainId grainId)
    {
        counter.Reminder();
        return inner.ReadRows(grainId);
    }

    public Task<ReminderTableData> ReadRows(uint begin, uint end)
    {
        counter.Reminder();
        return inner.ReadRows(begin, end);
    }

    public Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName)
    {
        counter.Reminder();
        return inner.ReadRow(grainId, reminderName);
    }

    public Task<string?> UpsertRow(ReminderEntry entry)
    {
        counter.Reminder();
        return inner.UpsertRow(entry);
    }

    public Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag)
    {
        counter.Reminder();
        return inner.RemoveRow(grainId, reminderName, eTag);
    }

    public Task TestOnlyClearTable() => inner.TestOnlyClearTable();
}
