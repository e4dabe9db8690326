using Azure;
using Azure.Data.Tables;

namespace NodeDb.Orleans.Grains.History;

/// <summary>
/// History rows in an Azure Table (the azure profile), partitioned per schedule so a busy tenant's appends
/// spread over as many partitions as it has schedules.
/// </summary>
/// <remarks>
/// <para>Layout: PartitionKey <c>{service id}|{tenant}|{schedule}</c> (each escaped, see <see cref="Escape"/>), so
/// deployments with different Orleans ServiceIds that share an account and a table never read each other's rows. Each run is two
/// entities in that partition, always written together in one entity-group transaction:</para>
/// <list type="bullet">
/// <item>the <b>row</b>, RowKey <c>t|{inverted RecordedAt ticks}|{inverted ScheduledAt ticks}|{run id}</c>, holding the
/// record. The server returns a partition in RowKey order, so a schedule's history comes back newest first and a
/// query reads only the rows it returns;</item>
/// <item>the <b>pointer</b>, RowKey <c>r|{run id}</c>, holding the row's RowKey. It makes "upsert by run id" possible
/// although the row's key changes with <see cref="RunRecord.RecordedAt"/>: an append reads the pointer (a point read)
/// and deletes the superseded row in the same transaction, guarded by the pointer's ETag.</item>
/// </list>
/// <para>A tenant-wide query (no schedule) scans the tenant's partitions and merges in memory; retention
/// (<see cref="PruneAsync"/>) bounds what it reads. Ties on both instants order by run id ascending (SQLite's store
/// orders them descending). Reason and error texts longer than <see cref="MaxText"/> characters are cut, since a
/// string property holds at most 64 KiB.</para>
/// </remarks>
public sealed partial class AzureTableHistoryStore : IHistoryStore
{
    /// <summary>The table name used when none is given.</summary>
    public const string DefaultTableName = "NodeDbRunHistory";

    /// <summary>The longest reason or error text kept, in characters.</summary>
    public const int MaxText = 16_000;

    private const int MaxActionsPerTransaction = 100;
    private const int ConflictRetries = 5;
    private readonly TableClient _table;
    private readonly string _service;
    private readonly SemaphoreSlim _createGate = new(1, 1);
    private volatile bool _created;

    /// <summary>
    /// Uses (and creates on first use) table <paramref name="tableName"/> of <paramref name="service"/>, keeping the rows
    /// of deployment <paramref name="serviceId"/> (the Orleans ServiceId) apart from any other deployment's.
    /// </summary>
    public AzureTableHistoryStore(TableServiceClient service, string serviceId, string tableName = DefaultTableName)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentException.ThrowIfNullOrEmpty(serviceId);
        ArgumentException.ThrowIfNullOrEmpty(tableName);
        _table = service.GetTableClient(tableName);
        _service = Escape(serviceId);
    }

    public async Task AppendAsync(string tenant, IReadOnlyList<RunRecord> runs, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenant);
        ArgumentNullException.ThrowIfNull(runs);
        await EnsureTableAsync(cancellationToken);

        // The last write of a run id wins, as in SQL's upsert; a transaction may touch an entity only once.
        var latest = runs.GroupBy(r => r.RunId, StringComparer.Ordinal).Select(g => g.Last());
        foreach (var partition in latest.GroupBy(r => PartitionOf(tenant, r.Schedule), StringComparer.Ordinal))
        {
            // Up to three actions per run (pointer, row, superseded row).
            foreach (var chunk in partition.Chunk(MaxActionsPerTransaction / 3))
            {
                await UpsertChunkAsync(tenant, partition.Key, chunk, cancellationToken);
            }
        }
    }

    public async Task<IReadOnlyList<RunRecord>> QueryAsync(string tenant, HistoryQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenant);
        ArgumentNullException.ThrowIfNull(query);
        await EnsureTableAsync(cancellationToken);
        var filter = query.Schedule is { } schedule
            ? TableClient.CreateQueryFilter($"PartitionKey eq {PartitionOf(tenant, schedule)} and RowKey ge {RowPrefix} and RowKey lt {RowPrefixEnd}")
            : TableClient.CreateQueryFilter($"PartitionKey ge {TenantPrefix(tenant)} and PartitionKey lt {TenantPrefixEnd(tenant)} and RowKey ge {RowPrefix} and RowKey lt {RowPrefixEnd}");
        if (query.Status is { } status)
        {
            filter += TableClient.CreateQueryFilter($" and Status eq {(int)status}");
        }

        var rows = new List<(string RowKey, RunRecord Record)>();
        await foreach (var entity in _table.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(query.Limit, 1000), cancellationToken: cancellationToken))
        {
            rows.Add((entity.RowKey, ToRecord(tenant, entity)));
            if (query.Schedule is not null && rows.Count >= query.Limit)
            {
                // One partition arrives in RowKey order, newest first: the rest is older.
                break;
            }
        }

        return [.. rows.OrderBy(r => r.RowKey, StringComparer.Ordinal).Take(query.Limit).Select(r => r.Record)];
    }

    public async Task<int> RemoveScheduleAsync(string tenant, string schedule, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenant);
        ArgumentException.ThrowIfNullOrEmpty(schedule);
        await EnsureTableAsync(cancellationToken);
        var partition = PartitionOf(tenant, schedule);
        var keys = new List<string>();
        await foreach (var entity in _table.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), select: ["RowKey"], cancellationToken: cancellationToken))
        {
            keys.Add(entity.RowKey);
        }

        await DeleteAsync(partition, keys, cancellationToken);
        return keys.Count(k => k.StartsWith(RowPrefix, StringComparison.Ordinal));
    }

    public async Task<int> PruneAsync(
        string tenant, string schedule, int keepPerSchedule, DateTimeOffset olderThan, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenant);
        ArgumentException.ThrowIfNullOrEmpty(schedule);
        ArgumentOutOfRangeException.ThrowIfNegative(keepPerSchedule);
        await EnsureTableAsync(cancellationToken);
        var partition = PartitionOf(tenant, schedule);
        var doomed = new List<string>();
        var seen = 0;
        await foreach (var entity in _table.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {RowPrefix} and RowKey lt {RowPrefixEnd}"),
            select: ["RowKey", "RunId", "RecordedAt"],
            cancellationToken: cancellationToken))
        {
            seen++;
            if (seen > keepPerSchedule || Instant(entity, "RecordedAt") < olderThan)
            {
                doomed.Add(entity.RowKey);
                doomed.Add(PointerKey(entity.GetString("RunId")));
            }
        }

        await DeleteAsync(partition, doomed, cancellationToken);
        return doomed.Count / 2;
    }

    private async Task UpsertChunkAsync(string tenant, string partition, IReadOnlyList<RunRecord> chunk, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var pointers = await Task.WhenAll(chunk.Select(r => _table.GetEntityIfExistsAsync<TableEntity>(
                partition, PointerKey(r.RunId), select: ["Row"], cancellationToken: cancellationToken)));
            var actions = new List<TableTransactionAction>(chunk.Count * 3);
            for (var i = 0; i < chunk.Count; i++)
            {
                var run = chunk[i];
                var rowKey = RowKeyOf(run);
                var pointer = new TableEntity(partition, PointerKey(run.RunId)) { ["Row"] = rowKey };
                if (pointers[i].HasValue && pointers[i].Value is { } existing)
                {
                    actions.Add(new TableTransactionAction(TableTransactionActionType.UpdateReplace, pointer, existing.ETag));
                    if (existing.GetString("Row") is { } old && old != rowKey)
                    {
                        actions.Add(new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(partition, old), ETag.All));
                    }
                }
                else
                {
                    actions.Add(new TableTransactionAction(TableTransactionActionType.Add, pointer));
                }

                actions.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, ToEntity(tenant, partition, rowKey, run)));
            }

            try
            {
                await _table.SubmitTransactionAsync(actions, cancellationToken);
                return;
            }
            catch (TableTransactionFailedException e) when (e.Status is 409 or 412 or 404 && attempt < ConflictRetries)
            {
                // Another writer moved a pointer between our read and our write (or deleted it): read again.
            }
        }
    }

    private async Task DeleteAsync(string partition, List<string> rowKeys, CancellationToken cancellationToken)
    {
        foreach (var chunk in rowKeys.Distinct(StringComparer.Ordinal).Chunk(MaxActionsPerTransaction))
        {
            var actions = chunk.Select(k => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(partition, k), ETag.All));
            try
            {
                await _table.SubmitTransactionAsync(actions, cancellationToken);
            }
            catch (TableTransactionFailedException e) when (e.Status == 404)
            {
                // Someone deleted one of them first; delete the rest one by one (a missing entity is not an error).
                foreach (var key in chunk)
                {
                    await _table.DeleteEntityAsync(partition, key, ETag.All, cancellationToken);
                }
            }
        }
    }

    private async Task EnsureTableAsync(CancellationToken cancellationToken)
    {
        if (_created)
        {
            return;
        }

        await _createGate.WaitAsync(cancellationToken);
        try
        {
            if (!_created)
            {
                await _table.CreateIfNotExistsAsync(cancellationToken);
                _created = true;
            }
        }
        finally
        {
            _createGate.Release();
        }
    }
}
