using System.Collections.Immutable;
using Microsoft.Extensions.Options;
using NodeDb.Orleans.Grains.Diagnostics;
using NodeDb.Orleans.Grains.Hosting;
using Orleans.Concurrency;

namespace NodeDb.Orleans.Grains.History;

/// <summary>A tenant's run history. Rows live in the profile's <see cref="IHistoryStore"/>; retention keeps it bounded.</summary>
public sealed class JobHistoryGrain(IHistoryStore store, SchedulerClock clock, IOptions<SchedulerOptions> options, SchedulerInstruments instruments)
    : Grain, IJobHistoryGrain
{
    private const int PruneEvery = 100;
    private const int MaxLimit = 10_000;
    private readonly Dictionary<string, int> _appendsSincePrune = new(StringComparer.Ordinal);
    private List<RunRecord> _pending = [];
    private TaskCompletionSource? _nextBatch;
    private Task? _writer;
    private bool _writing;

    private string Tenant => this.GetPrimaryKeyString();

    /// <remarks>
    /// Interleaved on purpose (<c>[AlwaysInterleave]</c> on the interface; group commit): appends that arrive while a batch is being written join the next
    /// batch, so a busy tenant costs one store transaction per batch, not one per run. Every caller returns only
    /// once its own rows are stored.
    /// </remarks>
    public async Task AppendAsync(ImmutableArray<RunRecord> runs)
    {
        if (runs.IsDefaultOrEmpty)
        {
            return;
        }

        foreach (var run in runs)
        {
            if (!string.Equals(run.Tenant, Tenant, StringComparison.Ordinal))
            {
                throw new ArgumentException($"Run '{run.RunId}' belongs to tenant '{run.Tenant}', not '{Tenant}'.", nameof(runs));
            }
        }

        _pending.AddRange(runs);
        var batch = _nextBatch ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_writing)
        {
            // The flag, not the task, says whether a writer runs: a writer that finishes synchronously must not
            // leave a completed task behind that looks like a running one.
            _writing = true;
            _writer = WriteBatchesAsync();
        }

        await batch.Task;
    }

    [ReadOnly]
    public async Task<ImmutableArray<RunRecord>> QueryAsync(HistoryQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Limit is < 1 or > MaxLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(query), query.Limit, $"History limit {query.Limit} must be between 1 and {MaxLimit}.");
        }

        return [.. await store.QueryAsync(Tenant, query)];
    }

    public async Task<int> RemoveScheduleAsync(string schedule)
    {
        ArgumentException.ThrowIfNullOrEmpty(schedule);

        // Rows of the schedule still queued must land before the delete, never after it.
        while (_writing)
        {
            await _writer!;
        }

        _appendsSincePrune.Remove(schedule);
        return await store.RemoveScheduleAsync(Tenant, schedule);
    }

    private async Task WriteBatchesAsync()
    {
        try
        {
            while (_pending.Count > 0)
            {
                var rows = _pending;
                var done = _nextBatch!;
                _pending = [];
                _nextBatch = null;
                try
                {
                    var started = instruments.Timestamp();
                    await store.AppendAsync(Tenant, rows);
                    instruments.HistoryWritten(started, rows.Count);
                    await PruneIfDueAsync(rows);
                    done.SetResult();
                }
                catch (Exception e)
                {
                    done.SetException(e);
                }
            }
        }
        finally
        {
            _writing = false;
        }
    }

    private async Task PruneIfDueAsync(List<RunRecord> rows)
    {
        foreach (var schedule in rows.Select(r => r.Schedule).Distinct(StringComparer.Ordinal))
        {
            var count = _appendsSincePrune.GetValueOrDefault(schedule) + rows.Count(r => r.Schedule == schedule);
            if (count < PruneEvery)
            {
                _appendsSincePrune[schedule] = count;
                continue;
            }

            _appendsSincePrune[schedule] = 0;
            var o = options.Value;
            await store.PruneAsync(Tenant, schedule, o.HistoryKeepPerSchedule, clock.GetUtcNow() - o.HistoryRetention);
        }
    }
}
