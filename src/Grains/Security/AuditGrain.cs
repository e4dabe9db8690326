using System.Collections.Immutable;
using Microsoft.Extensions.Options;
using NodeDb.Orleans.Grains.Hosting;

namespace NodeDb.Orleans.Grains.Security;

/// <summary>
/// One tenant's audit log, in the schedule store, bounded by age and count. Appends interleave; one writer at a time
/// stores what has arrived, so a burst of appends costs a few writes, not one each.
/// </summary>
public sealed class AuditGrain(
    [PersistentState("audit", StorageNames.Schedules)] IPersistentState<AuditState> state,
    SchedulerClock clock,
    IOptions<SecurityOptions> options) : Grain, IAuditGrain, IAuditLogGrain
{
    public const int MaxQuery = 10_000;

    private readonly SecurityOptions _options = options.Value;
    private Task? _writing;
    private bool _dirty;

    public Task AppendAsync(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        state.State.Entries.Add(entry);
        Trim();
        _dirty = true;
        if (_writing is null || _writing.IsCompleted)
        {
            _writing = WriteAsync();
        }

        return Task.CompletedTask;
    }

    public Task<ImmutableArray<AuditEntry>> QueryAsync(int limit)
    {
        if (limit is < 1 or > MaxQuery)
        {
            throw new NodeDbException(ErrorCodes.InvalidDefinition, $"Limit {limit} is out of range: ask for 1 to {MaxQuery} entries.");
        }

        Trim();
        var entries = state.State.Entries;
        return Task.FromResult(Enumerable.Range(0, Math.Min(limit, entries.Count)).Select(i => entries[entries.Count - 1 - i]).ToImmutableArray());
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_dirty || _writing is { IsCompleted: false })
        {
            _dirty = true;
            await WriteAsync();
        }
    }

    private async Task WriteAsync()
    {
        while (_dirty)
        {
            _dirty = false;
            await state.WriteStateAsync();
        }
    }

    private void Trim()
    {
        var entries = state.State.Entries;
        var oldest = clock.GetUtcNow() - _options.AuditRetention;
        var drop = 0;
        while (drop < entries.Count && (entries.Count - drop > _options.AuditMaxEntries || entries[drop].At < oldest))
        {
            drop++;
        }

        if (drop > 0)
        {
            entries.RemoveRange(0, drop);
        }
    }
}
