using System.Reflection;
using NodeDb.Orleans.Security;
using NodeDb.Orleans.Tests.Cluster;
using NodeDb.Orleans.Tests.Firing;

namespace NodeDb.Orleans.Tests.Security;

/// <summary>
/// Every public grain method against every kind of caller: no key, another tenant's admin, each role of the tenant,
/// a revoked key, an expired key, and cluster-scope keys. Exactly the expected calls pass the filter.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class AccessMatrixTests
{
    private const string A = "ta";
    private const string B = "tb";

    /// <summary>Who a method belongs to: a tenant (named by the grain key), nobody (health reads), or the service.</summary>
    private enum Reach
    {
        Tenant,
        Anyone,
        Cluster,

        /// <summary>Internal methods of public grains: refused to every client, whatever its key.</summary>
        Internal,
    }

    private sealed record Row(string Method, ApiKeyRole Least, Reach Reach, Func<IClusterClient, string, Task> Call);

    private sealed record Who(string Name, string Key, bool Valid, string? Scope, ApiKeyRole Role)
    {
        public bool Covers(string tenant) => Scope == ApiKeyText.ClusterScope || Scope == tenant;
    }

    /// <summary>Written out by hand, apart from the policy it checks: one call per public method.</summary>
    private static IReadOnlyList<Row> Rows()
    {
        var yearly = new ScheduleDefinition { Tenant = A, Name = "s1", Cron = "0 0 1 1 *", Body = "BEGIN SELECT 1; END" };
        IScheduleGrain S(IClusterClient c, string name) => c.GetGrain<IScheduleGrain>(ScheduleKey.Of(A, name));
        return
        [
            new("IScheduleGrain.GetStatusAsync", ApiKeyRole.Reader, Reach.Tenant, (c, _) => S(c, "s1").GetStatusAsync()),
            new("IScheduleGrain.CreateAsync", ApiKeyRole.Admin, Reach.Tenant, (c, who) => S(c, "c-" + who).CreateAsync(yearly with { Name = "c-" + who })),
            new("IScheduleGrain.UpdateAsync", ApiKeyRole.Admin, Reach.Tenant, (c, _) => S(c, "s1").UpdateAsync(yearly)),
            new("IScheduleGrain.DropAsync", ApiKeyRole.Admin, Reach.Tenant, (c, who) => S(c, "d-" + who).DropAsync()),
            new("IScheduleGrain.SetEnabledAsync", ApiKeyRole.Admin, Reach.Tenant, (c, _) => S(c, "s1").SetEnabledAsync(true)),
            new("IScheduleGrain.PauseAsync", ApiKeyRole.Operator, Reach.Tenant, (c, _) => S(c, "s1").PauseAsync("someone", "matrix")),
            new("IScheduleGrain.ResumeAsync", ApiKeyRole.Operator, Reach.Tenant, (c, _) => S(c, "s1").ResumeAsync()),
            new("IScheduleGrain.TriggerAsync", ApiKeyRole.Operator, Reach.Tenant, (c, _) => S(c, "s1").TriggerAsync("someone")),
            new("IScheduleGrain.BackfillAsync", ApiKeyRole.Operator, Reach.Tenant, (c, _) => S(c, "s1").BackfillAsync(SchedulerCluster.Epoch.AddHours(-1), SchedulerCluster.Epoch, "someone")),
            new("ITenantSchedulesGrain.ListAsync", ApiKeyRole.Reader, Reach.Tenant, (c, _) => c.GetGrain<ITenantSchedulesGrain>(A).ListAsync()),
            new("ITenantSchedulesGrain.CreateManyAsync", ApiKeyRole.Admin, Reach.Tenant, (c, who) => c.GetGrain<ITenantSchedulesGrain>(A).CreateManyAsync([yearly with { Name = "m-" + who }])),
            new("IJobHistoryGrain.AppendAsync", ApiKeyRole.Admin, Reach.Internal, (c, who) => c.GetGrain<IJobHistoryGrain>(A).AppendAsync([Forged(who)])),
            new("IJobHistoryGrain.RemoveScheduleAsync", ApiKeyRole.Admin, Reach.Internal, (c, _) => c.GetGrain<IJobHistoryGrain>(A).RemoveScheduleAsync("s1")),
            new("ITenantSchedulesGrain.AddAsync", ApiKeyRole.Admin, Reach.Internal, (c, who) => c.GetGrain<ITenantSchedulesGrain>(A).AddAsync("ghost-" + who)),
            new("ITenantSchedulesGrain.RemoveAsync", ApiKeyRole.Admin, Reach.Internal, (c, _) => c.GetGrain<ITenantSchedulesGrain>(A).RemoveAsync("s1")),
            new("IJobHistoryGrain.QueryAsync", ApiKeyRole.Reader, Reach.Tenant, (c, _) => c.GetGrain<IJobHistoryGrain>(A).QueryAsync(new HistoryQuery())),
            new("ISqlSessionGrain.ExecuteAsync (SHOW)", ApiKeyRole.Reader, Reach.Tenant, (c, _) => c.GetGrain<ISqlSessionGrain>(A).ExecuteAsync("SHOW SCHEDULES", "someone")),
            new("ISqlSessionGrain.ExecuteAsync (SQL)", ApiKeyRole.Admin, Reach.Tenant, (c, _) => c.GetGrain<ISqlSessionGrain>(A).ExecuteAsync("SELECT 1", "someone")),
            new("ISqlSessionGrain.ExecuteAsync (DDL)", ApiKeyRole.Admin, Reach.Tenant, (c, who) => c.GetGrain<ISqlSessionGrain>(A).ExecuteAsync($"DROP SCHEDULE IF EXISTS x{who}", "someone")),
            new("ISqlSessionGrain.PreviewCronAsync", ApiKeyRole.Reader, Reach.Tenant, (c, _) => c.GetGrain<ISqlSessionGrain>(A).PreviewCronAsync("* * * * *", null, null, 1)),
            new("ISqlSessionGrain.GetHealthAsync", ApiKeyRole.Reader, Reach.Tenant, (c, _) => c.GetGrain<ISqlSessionGrain>(A).GetHealthAsync(null)),
            new("ISqlSessionGrain.GetSilosAsync", ApiKeyRole.Reader, Reach.Tenant, (c, _) => c.GetGrain<ISqlSessionGrain>(A).GetSilosAsync()),
            new("ISqlSessionGrain.GetSummariesAsync", ApiKeyRole.Reader, Reach.Tenant, (c, _) => c.GetGrain<ISqlSessionGrain>(A).GetSummariesAsync(new ScheduleQuery())),
            new("ISqlSessionGrain.CheckCreateAsync", ApiKeyRole.Reader, Reach.Tenant, (c, _) => c.GetGrain<ISqlSessionGrain>(A).CheckCreateAsync("CREATE SCHEDULE chk CRON '0 0 1 1 *' AS BEGIN SELECT 1; END", 1)),
            new("IRaftHealthGrain.GetReportAsync", ApiKeyRole.Reader, Reach.Anyone, (c, _) => c.GetGrain<IRaftHealthGrain>("g1").GetReportAsync()),
            new("IRaftHealthGrain.CheckAsync", ApiKeyRole.Reader, Reach.Anyone, (c, _) => c.GetGrain<IRaftHealthGrain>("g1").CheckAsync()),
            new("IRaftHealthGrain.ReportAsync", ApiKeyRole.Operator, Reach.Cluster, (c, _) => c.GetGrain<IRaftHealthGrain>("g1").ReportAsync(new RaftStatusReport { LeaderId = "n1", CommitIndex = 1, LastApplied = 1 })),
            new("IApiKeysGrain.CreateAsync", ApiKeyRole.Admin, Reach.Tenant, (c, who) => c.GetGrain<IApiKeysGrain>(A).CreateAsync("made-by-" + who, ApiKeyRole.Reader, null)),
            new("IApiKeysGrain.ListAsync", ApiKeyRole.Admin, Reach.Tenant, (c, _) => c.GetGrain<IApiKeysGrain>(A).ListAsync()),
            new("IApiKeysGrain.RevokeAsync", ApiKeyRole.Admin, Reach.Tenant, (c, _) => c.GetGrain<IApiKeysGrain>(A).RevokeAsync("k000000000000")),
            new("IApiKeysGrain.WhoAmIAsync", ApiKeyRole.Reader, Reach.Tenant, (c, _) => c.GetGrain<IApiKeysGrain>(A).WhoAmIAsync()),
            new("IAuditGrain.QueryAsync", ApiKeyRole.Admin, Reach.Tenant, (c, _) => c.GetGrain<IAuditGrain>(A).QueryAsync(10)),
        ];
    }

    private static RunRecord Forged(string who) => new()
    {
        RunId = "forged-" + who,
        Tenant = A,
        Schedule = "forged",
        Status = RunStatus.Succeeded,
        Trigger = RunTrigger.Manual,
        RecordedAt = SchedulerCluster.Epoch,
    };

    [Fact]
    public void The_table_covers_every_method_of_every_public_grain_interface()
    {
        var contracts = typeof(IScheduleGrain).Assembly.GetTypes()
            .Where(t => t.IsInterface && t.IsPublic && typeof(IGrain).IsAssignableFrom(t))
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance).Select(m => $"{t.Name}.{m.Name}"))
            .ToHashSet(StringComparer.Ordinal);
        var covered = Rows().Select(r => r.Method.Split(' ')[0]).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(contracts.Order(StringComparer.Ordinal), covered.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Exactly_the_expected_callers_pass_each_public_method()
    {
        await using var cluster = await SecurityCluster.StartAsync();
        await cluster.CreateAsync(A, "s1", "0 0 1 1 *");
        await cluster.CreateAsync(B, "s1", "0 0 1 1 *");
        var revoked = await cluster.Client.GetGrain<IApiKeysGrain>(A).CreateAsync("gone", ApiKeyRole.Admin, null);
        await cluster.Client.GetGrain<IApiKeysGrain>(A).RevokeAsync(revoked.Info.Id);
        var expiring = await cluster.KeyAsync(A, "brief", ApiKeyRole.Admin, SchedulerCluster.Epoch.AddMinutes(1));
        Who[] callers =
        [
            new("no-key", "", false, null, ApiKeyRole.Reader),
            new("malformed", "not-a-key", false, null, ApiKeyRole.Reader),
            new("unknown", TestKeys.NewKey(A), false, null, ApiKeyRole.Admin),
            new("other-tenant-admin", await cluster.KeyAsync(B, "eve", ApiKeyRole.Admin), true, B, ApiKeyRole.Admin),
            new("reader", await cluster.KeyAsync(A, "rita", ApiKeyRole.Reader), true, A, ApiKeyRole.Reader),
            new("operator", await cluster.KeyAsync(A, "otto", ApiKeyRole.Operator), true, A, ApiKeyRole.Operator),
            new("admin", await cluster.KeyAsync(A, "ada", ApiKeyRole.Admin), true, A, ApiKeyRole.Admin),
            new("revoked", revoked.Key, false, null, ApiKeyRole.Admin),
            new("expired", expiring, false, null, ApiKeyRole.Admin),
            new("cluster-reader", await cluster.KeyAsync(ApiKeyText.ClusterScope, "cr", ApiKeyRole.Reader), true, ApiKeyText.ClusterScope, ApiKeyRole.Reader),
            new("cluster-operator", await cluster.KeyAsync(ApiKeyText.ClusterScope, "co", ApiKeyRole.Operator), true, ApiKeyText.ClusterScope, ApiKeyRole.Operator),
            new("cluster-admin", await cluster.KeyAsync(ApiKeyText.ClusterScope, "ca", ApiKeyRole.Admin), true, ApiKeyText.ClusterScope, ApiKeyRole.Admin),
        ];

        // The expiring key worked until now; from here on it has expired (and no cached record outlives the cache lifetime).
        Assert.Null(await SecurityCluster.RefusalAsync(expiring, () => cluster.Schedule(A, "s1").GetStatusAsync()));
        cluster.Time.Advance(TimeSpan.FromMinutes(2));

        var mismatches = new List<string>();
        var checkedCalls = 0;
        foreach (var row in Rows())
        {
            foreach (var who in callers)
            {
                var allowed = row.Reach != Reach.Internal
                    && who.Valid
                    && who.Role >= row.Least
                    && row.Reach switch
                    {
                        Reach.Tenant => who.Covers(A),
                        Reach.Cluster => who.Scope == ApiKeyText.ClusterScope,
                        _ => true,
                    };
                string? expected = allowed ? null : who.Valid || row.Reach == Reach.Internal ? ErrorCodes.PermissionDenied : ErrorCodes.Unauthenticated;
                var actual = await SecurityCluster.RefusalAsync(who.Key, () => row.Call(cluster.Client, who.Name));
                checkedCalls++;
                if (actual != expected)
                {
                    mismatches.Add($"{row.Method} as {who.Name}: expected {expected ?? "pass"}, got {actual ?? "pass"}");
                }
            }
        }

        Assert.Equal(Rows().Count * callers.Length, checkedCalls);
        Assert.Empty(mismatches);

        // No forged history row, no ghost name, and the real schedule still listed.
        Assert.Empty(await cluster.History(A).QueryAsync(new HistoryQuery { Schedule = "forged" }));
        Assert.DoesNotContain(await cluster.Client.GetGrain<ITenantSchedulesGrain>(A).ListAsync(), n => n.StartsWith("ghost-", StringComparison.Ordinal));
        Assert.Contains("s1", await cluster.Client.GetGrain<ITenantSchedulesGrain>(A).ListAsync());

        // Nothing of tenant B was touched by the calls on A, and B's schedule is as it was.
        var b = await cluster.Schedule(B, "s1").GetStatusAsync();
        Assert.Equal((false, SchedulerCluster.AdminPrincipal), (b!.Pause is not null, b.Definition.Owner));
    }
}
