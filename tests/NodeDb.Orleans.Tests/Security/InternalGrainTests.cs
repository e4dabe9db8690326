using Microsoft.Extensions.Options;
using NodeDb.Orleans.Grains.Recovery;
using NodeDb.Orleans.Grains.Running;
using NodeDb.Orleans.Grains.Schedules;
using NodeDb.Orleans.Grains.Security;
using NodeDb.Orleans.Security;
using NodeDb.Orleans.Tests.Cluster;
using NodeDb.Orleans.Tests.Firing;

namespace NodeDb.Orleans.Tests.Security;

/// <summary>Internal grains and methods refuse clients, even one holding a cluster-admin key or a copy of the silos' token.</summary>
[Collection(ClusterCollection.Name)]
public sealed class InternalGrainTests
{
    [Fact]
    public async Task A_cluster_admin_key_reaches_no_internal_grain()
    {
        await using var cluster = await SecurityCluster.StartAsync();
        await cluster.CreateAsync("ta", "s1", "0 0 1 1 *");
        var admin = TestKeys.ClusterAdmin;
        var silo = cluster.Cluster.Silos[0].SiloAddress.ToParsableString();
        var c = cluster.Client;
        var calls = new (string What, Func<Task> Call)[]
        {
            ("tick a schedule", () => c.GetGrain<IScheduleRuntimeGrain>(ScheduleKey.Of("ta", "s1")).TickAsync()),
            ("complete a run", () => c.GetGrain<IScheduleRuntimeGrain>(ScheduleKey.Of("ta", "s1"))
                .CompleteRunAsync(new RunCompletion("r1", RunStatus.Succeeded, 1, null, null, SchedulerCluster.Epoch, SchedulerCluster.Epoch, silo))),
            ("fire a reminder", () => c.GetGrain<IScheduleGrain>(ScheduleKey.Of("ta", "s1")).AsReference<IRemindable>()
                .ReceiveReminder("nodedb-wake", new TickStatus(SchedulerCluster.Epoch.UtcDateTime, TimeSpan.FromHours(1), SchedulerCluster.Epoch.UtcDateTime), TestContext.Current.CancellationToken)),
            ("list a wake shard", () => c.GetGrain<IScheduleWakeShardGrain>("0").ListAsync()),
            ("claim a wake", () => c.GetGrain<IScheduleWakeShardGrain>("0").ClaimWakeAsync("forged", "forged-claimer")),
            ("record a wake host", () => c.GetGrain<IScheduleWakeShardGrain>("0").RegisterAsync("forged", "forged-silo")),
            ("start a run on a silo runner", () => c.GetGrain<ISiloRunnerGrain>(silo).StartAsync(new RunTicket
            {
                ScheduleKey = ScheduleKey.Of("ta", "s1"), RunId = "forged", Tenant = "ta", Schedule = "s1", Body = "BEGIN SELECT 1; END", Owner = "eve",
            })),
            ("list a schedule bucket", () => c.GetGrain<ITenantScheduleBucketGrain>("ta#0").ListAsync()),
            ("add names to a schedule bucket", () => c.GetGrain<ITenantScheduleBucketGrain>("ta#0").AddManyAsync(["ghost"])),
            ("release a schedule's name", () => c.GetGrain<IScheduleNameGrain>(ScheduleKey.Of("ta", "s1")).ReleaseUnusedNameAsync()),
            ("reserve a name past the tenant limit", () => c.GetGrain<ITenantScheduleIndexGrain>("ta").ReserveAsync("ghost", int.MaxValue)),
            ("look a key up", () => c.GetGrain<IApiKeyStoreGrain>(ApiKeyText.ClusterScope).FindAsync("k0")),
            ("register a bootstrap key", () => c.GetGrain<IApiKeyStoreGrain>(ApiKeyText.ClusterScope).EnsureBootstrapAsync("kforged", "00")),
            ("append history", () => c.GetGrain<IJobHistoryGrain>("ta").AppendAsync([])),
            ("ask the management grain", () => c.GetGrain<IManagementGrain>(0).GetHosts()),
        };

        foreach (var (what, call) in calls)
        {
            var refusal = await Assert.ThrowsAsync<NodeDbException>(async () =>
            {
                using (TestKeys.As(admin))
                {
                    await call();
                }
            });
            Assert.True(refusal.Code == ErrorCodes.PermissionDenied, $"{what}: {refusal.Code} {refusal.Message}");
            Assert.Contains("internal to the cluster", refusal.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(admin, refusal.Message, StringComparison.Ordinal);
        }

        // The one-way audit append cannot even answer; it must not have written anything.
        c.GetGrain<IAuditLogGrain>("ta").AppendAsync(new AuditEntry { At = SchedulerCluster.Epoch, Action = "forged", Target = "ta", Outcome = "accepted" }).Ignore();
        var log = await c.GetGrain<IAuditGrain>("ta").QueryAsync(1000);
        Assert.DoesNotContain(log, e => e.Action == "forged");
        var clusterLog = await c.GetGrain<IAuditGrain>(ApiKeyText.ClusterScope).QueryAsync(1000);
        Assert.Contains(clusterLog, e => e.Action.EndsWith("IAuditLogGrain.AppendAsync", StringComparison.Ordinal) && e.Outcome == ErrorCodes.PermissionDenied);
    }

    [Fact]
    public async Task A_client_that_copies_the_silos_token_is_still_a_client()
    {
        await using var cluster = await SecurityCluster.StartAsync();
        await cluster.CreateAsync("ta", "s1", "0 0 1 1 *");
        var token = new ClusterSecret(Options.Create(new SecurityOptions { ClusterSecret = TestKeys.ClusterSecret })).Token;

        RequestContext.Set(ClusterSecret.RequestContextKey, token);
        try
        {
            var refusal = await Assert.ThrowsAsync<NodeDbException>(() => cluster.Client.GetGrain<IScheduleRuntimeGrain>(ScheduleKey.Of("ta", "s1")).TickAsync());
            Assert.Equal(ErrorCodes.PermissionDenied, refusal.Code);

            using (TestKeys.As(""))
            {
                var anonymous = await Assert.ThrowsAsync<NodeDbException>(() => cluster.Schedule("ta", "s1").GetStatusAsync());
                Assert.Equal(ErrorCodes.Unauthenticated, anonymous.Code);
            }
        }
        finally
        {
            RequestContext.Remove(ClusterSecret.RequestContextKey);
        }
    }

    [Fact]
    public async Task The_silo_itself_still_reaches_its_internal_grains()
    {
        await using var cluster = await SecurityCluster.StartAsync();
        await cluster.CreateAsync("ta", "s1", "0 0 1 1 *");
        await cluster.Internal.GetGrain<IScheduleRuntimeGrain>(ScheduleKey.Of("ta", "s1")).TickAsync();
        Assert.Contains(ScheduleKey.Of("ta", "s1"), await cluster.Internal.GetGrain<IScheduleWakeShardGrain>(WakeShards.ShardOf(ScheduleKey.Of("ta", "s1"))).ListAsync());
    }
}
