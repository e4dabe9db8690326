using Azure.Data.Tables;
using NodeDb.Orleans.Grains.History;

namespace NodeDb.Orleans.Tests.Azure;

public sealed class AzureTableHistoryStoreTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(AzureTableHistoryStore Store, TableClient Table)> NewStoreAsync(string serviceId = "svc-a", string? table = null)
    {
        await azurite.EnsureStartedAsync();
        var name = table ?? "hist" + Guid.NewGuid().ToString("N")[..16];
        return (new AzureTableHistoryStore(azurite.Tables, serviceId, name), azurite.Tables.GetTableClient(name));
    }

    [Fact]
    public async Task Two_deployments_sharing_a_table_never_see_each_others_rows()
    {
        var (a, table) = await NewStoreAsync("deployment-a");
        var (b, _) = await NewStoreAsync("deployment-b", table.Name);
        await a.AppendAsync("t1", [Run("job", "run-a", 1)], Ct);
        await b.AppendAsync("t1", [Run("job", "run-b", 2)], Ct);

        var seenByA = await a.QueryAsync("t1", new HistoryQuery { Schedule = "job" }, Ct);
        var tenantWideB = await b.QueryAsync("t1", new HistoryQuery(), Ct);

        Assert.Equal(["run-a"], seenByA.Select(r => r.RunId));
        Assert.Equal(["run-b"], tenantWideB.Select(r => r.RunId));
        await foreach (var entity in table.QueryAsync<TableEntity>(cancellationToken: Ct))
        {
            Assert.True(entity.PartitionKey.StartsWith("deployment-a|", StringComparison.Ordinal) || entity.PartitionKey.StartsWith("deployment-b|", StringComparison.Ordinal), entity.PartitionKey);
        }
    }

    private static RunRecord Run(string schedule, string runId, int recordedSecond, RunStatus status = RunStatus.Succeeded, string tenant = "t1") => new()
    {
        RunId = runId,
        Tenant = tenant,
        Schedule = schedule,
        Status = status,
        ScheduledAt = T0.AddSeconds(recordedSecond - 1),
        RecordedAt = T0.AddSeconds(recordedSecond),
        Owner = "alice",
        Attempt = 1,
    };

    [Fact]
    public async Task Rows_come_back_newest_first_with_every_field()
    {
        var (store, _) = await NewStoreAsync();
        var full = Run("s", "s.1", 1) with
        {
            Status = RunStatus.Failed, Trigger = RunTrigger.CatchUp, CoversFrom = T0.AddMinutes(-3), Count = 4,
            StartedAt = T0.AddMilliseconds(10), FinishedAt = T0.AddMilliseconds(250), Reason = "why", Error = "boom", Silo = "S1",
        };
        await store.AppendAsync("t1", [full, Run("s", "s.3", 3), Run("s", "s.2", 2)], Ct);

        var rows = await store.QueryAsync("t1", new HistoryQuery { Schedule = "s", Limit = 10 }, Ct);

        Assert.Equal(["s.3", "s.2", "s.1"], rows.Select(r => r.RunId));
        Assert.Equal(full, rows[2]);
    }

    [Fact]
    public async Task Appending_a_run_id_again_replaces_its_row_and_moves_it_in_the_order()
    {
        var (store, table) = await NewStoreAsync();
        await store.AppendAsync("t1", [Run("s", "a", 1), Run("s", "b", 2)], Ct);

        await store.AppendAsync("t1", [Run("s", "a", 5, RunStatus.Interrupted)], Ct);
        await store.AppendAsync("t1", [Run("s", "a", 5, RunStatus.Interrupted)], Ct); // same key again: still one row

        var rows = await store.QueryAsync("t1", new HistoryQuery { Schedule = "s", Limit = 10 }, Ct);
        Assert.Equal([("a", RunStatus.Interrupted), ("b", RunStatus.Succeeded)], rows.Select(r => (r.RunId, r.Status)));
        var entities = await table.QueryAsync<TableEntity>(cancellationToken: Ct).ToListAsync(Ct);
        Assert.Equal(4, entities.Count); // a row and a pointer per run id: the superseded row is gone
    }

    [Fact]
    public async Task Limit_status_and_tenant_wide_queries_merge_schedules_newest_first()
    {
        var (store, _) = await NewStoreAsync();
        await store.AppendAsync("t1", [Run("a", "a.1", 1), Run("b", "b.2", 2, RunStatus.Missed), Run("a", "a.3", 3), Run("b", "b.4", 4)], Ct);
        await store.AppendAsync("t2", [Run("a", "other", 9, tenant: "t2")], Ct);
        await store.AppendAsync("t1x", [Run("a", "prefix-neighbour", 9, tenant: "t1x")], Ct);

        var all = await store.QueryAsync("t1", new HistoryQuery { Limit = 3 }, Ct);
        var missed = await store.QueryAsync("t1", new HistoryQuery { Status = RunStatus.Missed }, Ct);
        var newestOfA = await store.QueryAsync("t1", new HistoryQuery { Schedule = "a", Limit = 1 }, Ct);

        Assert.Equal(["b.4", "a.3", "b.2"], all.Select(r => r.RunId));
        Assert.Equal("b.2", Assert.Single(missed).RunId);
        Assert.Equal("a.3", Assert.Single(newestOfA).RunId);
    }

    [Fact]
    public async Task Prune_keeps_the_newest_n_and_drops_rows_older_than_the_cutoff()
    {
        var (store, _) = await NewStoreAsync();
        await store.AppendAsync("t1", [.. Enumerable.Range(1, 10).Select(i => Run("s", $"r{i:D2}", i))], Ct);

        Assert.Equal(6, await store.PruneAsync("t1", "s", keepPerSchedule: 4, olderThan: T0, Ct));
        Assert.Equal(1, await store.PruneAsync("t1", "s", keepPerSchedule: 4, olderThan: T0.AddSeconds(8), Ct));

        var rows = await store.QueryAsync("t1", new HistoryQuery { Schedule = "s", Limit = 100 }, Ct);
        Assert.Equal(["r10", "r09", "r08"], rows.Select(r => r.RunId));

        // A pruned run id appended again is a fresh row, not a conflict with a stale pointer.
        await store.AppendAsync("t1", [Run("s", "r01", 11)], Ct);
        Assert.Equal(4, (await store.QueryAsync("t1", new HistoryQuery { Schedule = "s", Limit = 100 }, Ct)).Count);
    }

    [Fact]
    public async Task Remove_schedule_deletes_only_that_schedule_and_counts_its_runs()
    {
        var (store, _) = await NewStoreAsync();
        await store.AppendAsync("t1", [Run("a", "a.1", 1), Run("a", "a.2", 2), Run("b", "b.1", 3)], Ct);

        Assert.Equal(2, await store.RemoveScheduleAsync("t1", "a", Ct));

        Assert.Empty(await store.QueryAsync("t1", new HistoryQuery { Schedule = "a" }, Ct));
        Assert.Equal("b.1", Assert.Single(await store.QueryAsync("t1", new HistoryQuery(), Ct)).RunId);
    }

    [Fact]
    public async Task Keys_with_characters_azure_forbids_are_escaped_and_round_trip()
    {
        var (store, _) = await NewStoreAsync();
        var odd = Run("we/ird#s?|x", "run/1#?|%\\", 1, tenant: "ten|ant") with { Reason = new string('x', 40_000) };

        await store.AppendAsync("ten|ant", [odd, Run("plain", "p", 2, tenant: "ten|ant")], Ct);

        var back = await store.QueryAsync("ten|ant", new HistoryQuery { Schedule = "we/ird#s?|x" }, Ct);
        var row = Assert.Single(back);
        Assert.Equal(("run/1#?|%\\", "we/ird#s?|x"), (row.RunId, row.Schedule));
        Assert.Equal(AzureTableHistoryStore.MaxText, row.Reason!.Length);
        Assert.Equal(2, (await store.QueryAsync("ten|ant", new HistoryQuery(), Ct)).Count);
        Assert.Equal("ten%7Cant", AzureTableHistoryStore.Escape("ten|ant"));
    }

    [Fact]
    public async Task Many_runs_in_one_append_span_several_transactions()
    {
        var (store, _) = await NewStoreAsync();
        var runs = Enumerable.Range(1, 250).Select(i => Run("s", $"r{i:D3}", i)).ToList();

        await store.AppendAsync("t1", runs, Ct);
        await store.AppendAsync("t1", runs, Ct); // idempotent by run id

        var rows = await store.QueryAsync("t1", new HistoryQuery { Schedule = "s", Limit = 1000 }, Ct);
        Assert.Equal(250, rows.Count);
        Assert.Equal("r250", rows[0].RunId);
    }
}
