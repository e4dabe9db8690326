using NodeDb.Orleans.Grains.Security;
using NodeDb.Orleans.Security;
using NodeDb.Orleans.Tests.Cluster;
using NodeDb.Orleans.Tests.Firing;

namespace NodeDb.Orleans.Tests.Security;

/// <summary>Keys over their life: shown once and stored hashed, revoked within the cache lifetime on every silo, the principal recorded as owner, audited.</summary>
[Collection(ClusterCollection.Name)]
public sealed class KeyLifecycleTests
{
    [Fact]
    public async Task A_revoked_key_is_refused_on_every_silo_once_the_cache_lifetime_has_passed()
    {
        await using var cluster = await SecurityCluster.StartAsync(silos: 2);
        var ttl = new SecurityOptions().KeyCacheTtl;
        var key = await cluster.KeyAsync("ta", "temp", ApiKeyRole.Reader);

        // Schedules of several names land on both silos, so both cache the key's record.
        var names = Enumerable.Range(0, 8).Select(i => $"s{i}").ToArray();
        foreach (var name in names)
        {
            await cluster.CreateAsync("ta", name, "0 0 1 1 *");
        }

        foreach (var name in names)
        {
            Assert.Null(await SecurityCluster.RefusalAsync(key, () => cluster.Schedule("ta", name).GetStatusAsync()));
        }

        ApiKeyText.TryParse(key, out _, out var id, out _);
        await cluster.Client.GetGrain<IApiKeysGrain>("ta").RevokeAsync(id!);
        cluster.Time.Advance(ttl);

        foreach (var name in names)
        {
            Assert.Equal(ErrorCodes.Unauthenticated, await SecurityCluster.RefusalAsync(key, () => cluster.Schedule("ta", name).GetStatusAsync()));
        }

        var listed = Assert.Single(await cluster.Client.GetGrain<IApiKeysGrain>("ta").ListAsync(), k => k.Id == id);
        Assert.Equal((SchedulerCluster.AdminPrincipal, cluster.Time.GetUtcNow() - ttl), (listed.RevokedBy, listed.RevokedAt));
    }

    [Fact]
    public async Task The_key_text_is_shown_once_and_only_its_hash_is_kept()
    {
        await using var cluster = await SecurityCluster.StartAsync();
        var created = await cluster.Client.GetGrain<IApiKeysGrain>("ta").CreateAsync("bob", ApiKeyRole.Operator, null);
        Assert.True(ApiKeyText.TryParse(created.Key, out var scope, out var id, out var secret));
        Assert.Equal(("ta", created.Info.Id), (scope, id));
        Assert.True(secret.Length >= 43, "256 random bits in base64url");

        var stored = await cluster.Internal.GetGrain<IApiKeyStoreGrain>("ta").FindAsync(id);
        Assert.NotNull(stored);
        Assert.Equal(KeyMaterial.Hash(secret), stored.SecretHash);
        Assert.DoesNotContain(secret, stored.SecretHash, StringComparison.Ordinal);
        Assert.Equal(("bob", ApiKeyRole.Operator, SchedulerCluster.AdminPrincipal), (stored.Info.Principal, stored.Info.Role, stored.Info.CreatedBy));

        // A wrong secret under a real id is unknown, and the refusal names the id but never the presented text.
        var wrong = ApiKeyText.Format("ta", id, KeyMaterial.NewSecret());
        var refusal = await Assert.ThrowsAsync<NodeDbException>(async () =>
        {
            using (TestKeys.As(wrong))
            {
                await cluster.Schedule("ta", "x").GetStatusAsync();
            }
        });
        Assert.Equal(ErrorCodes.Unauthenticated, refusal.Code);
        Assert.Contains(id, refusal.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong.Split('.')[3], refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_owner_is_the_key_principal_whatever_name_the_client_sends()
    {
        await using var cluster = await SecurityCluster.StartAsync();
        var alice = await cluster.KeyAsync("ta", "alice", ApiKeyRole.Admin);
        using (TestKeys.As(alice))
        {
            var created = await cluster.Schedule("ta", "direct").CreateAsync(new ScheduleDefinition
            {
                Tenant = "ta", Name = "direct", Cron = "0 0 1 1 *", Body = "BEGIN SELECT 1; END", Owner = "mallory",
            });
            Assert.Equal("alice", created.Definition.Owner);

            var updated = await cluster.Schedule("ta", "direct").UpdateAsync(created.Definition with { Owner = "mallory", Cron = "0 0 2 1 *" });
            Assert.Equal("alice", updated.Definition.Owner);

            var results = await cluster.Client.GetGrain<ISqlSessionGrain>("ta").ExecuteAsync("CREATE SCHEDULE viasql CRON '0 0 1 1 *' AS BEGIN SELECT 1; END", "mallory");
            Assert.Equal("alice", Assert.Single(results).Schedules[0].Definition.Owner);

            var paused = await cluster.Schedule("ta", "direct").PauseAsync("mallory", "mine");
            Assert.Equal("alice", paused.Pause!.By);
            await cluster.Schedule("ta", "direct").ResumeAsync();
            await cluster.Schedule("ta", "direct").TriggerAsync("mallory");
        }

        await cluster.DrainAsync();
        var manual = Assert.Single(cluster.Scripted.RequestsOf("ta", "direct"));
        Assert.Equal("alice", manual.Owner);
    }

    [Fact]
    public async Task Accepted_changes_and_refusals_are_audited_for_the_tenant_admin_only()
    {
        await using var cluster = await SecurityCluster.StartAsync();
        var admin = await cluster.KeyAsync("ta", "ada", ApiKeyRole.Admin);
        var reader = await cluster.KeyAsync("ta", "rita", ApiKeyRole.Reader);
        await cluster.CreateAsync("ta", "s1", "0 0 1 1 *");
        Assert.Equal(ErrorCodes.PermissionDenied, await SecurityCluster.RefusalAsync(reader, () => cluster.Schedule("ta", "s1").PauseAsync("rita")));
        Assert.Equal(ErrorCodes.Unauthenticated, await SecurityCluster.RefusalAsync("", () => cluster.Schedule("ta", "s1").GetStatusAsync()));
        Assert.Null(await SecurityCluster.RefusalAsync(admin, () => cluster.Schedule("ta", "s1").TriggerAsync("ada")));
        Assert.Null(await SecurityCluster.RefusalAsync(reader, () => cluster.Schedule("ta", "s1").GetStatusAsync()));

        Assert.Equal(ErrorCodes.PermissionDenied, await SecurityCluster.RefusalAsync(reader, () => cluster.Client.GetGrain<IAuditGrain>("ta").QueryAsync(10)));
        IReadOnlyList<AuditEntry> log = [];
        using (TestKeys.As(admin))
        {
            // The appends are one-way: wait until the six arrived.
            for (var i = 0; i < 100 && log.Count < 6; i++)
            {
                log = await cluster.Client.GetGrain<IAuditGrain>("ta").QueryAsync(100);
                if (log.Count < 6)
                {
                    await Task.Delay(20, TestContext.Current.CancellationToken);
                }
            }
        }

        // The two keys made, the admin's create, the reader's pause, the trigger and the reader's try at the audit log;
        // reads that passed are not audited. A call without a key could come from anyone: it goes to the cluster's log.
        Assert.Equal(
            new (string?, string, string)[]
            {
                (SchedulerCluster.AdminPrincipal, "IApiKeysGrain.CreateAsync", "accepted"),
                (SchedulerCluster.AdminPrincipal, "IApiKeysGrain.CreateAsync", "accepted"),
                (SchedulerCluster.AdminPrincipal, "IScheduleGrain.CreateAsync", "accepted"),
                ("ada", "IScheduleGrain.TriggerAsync", "accepted"),
                ("rita", "IScheduleGrain.PauseAsync", ErrorCodes.PermissionDenied),
                ("rita", "IAuditGrain.QueryAsync", ErrorCodes.PermissionDenied),
            }.Order(),
            log.Select(e => (e.Principal, e.Action, e.Outcome)).Order());
        Assert.Equal(log.Select(e => e.At).OrderDescending(), log.Select(e => e.At));
        Assert.All(log, e => Assert.Equal(e.Action.StartsWith("IScheduleGrain", StringComparison.Ordinal) ? "ta/s1" : "ta", e.Target));
        Assert.All(log, e => Assert.StartsWith("sys.client", e.ClientAddress, StringComparison.Ordinal));
        Assert.Contains("needs the operator role", Assert.Single(log, e => e.Action == "IScheduleGrain.PauseAsync" && e.Principal == "rita").Detail, StringComparison.Ordinal);
        IReadOnlyList<AuditEntry> clusterLog = [];
        for (var i = 0; i < 100 && !clusterLog.Any(e => e.Outcome == ErrorCodes.Unauthenticated); i++)
        {
            clusterLog = await cluster.Client.GetGrain<IAuditGrain>(ApiKeyText.ClusterScope).QueryAsync(100);
            await Task.Delay(i == 0 ? 0 : 20, TestContext.Current.CancellationToken);
        }

        var anonymous = Assert.Single(clusterLog, e => e.Outcome == ErrorCodes.Unauthenticated);
        Assert.Equal(("IScheduleGrain.GetStatusAsync", "ta/s1", (string?)null), (anonymous.Action, anonymous.Target, anonymous.Principal));
    }

    [Fact]
    public async Task A_health_report_dated_in_the_future_is_refused_and_reports_are_stamped_on_receipt()
    {
        await using var cluster = await SecurityCluster.StartAsync();
        var health = cluster.Client.GetGrain<IRaftHealthGrain>("g7");
        var now = cluster.Time.GetUtcNow();
        var future = await Assert.ThrowsAsync<NodeDbException>(() =>
            health.ReportAsync(new RaftStatusReport { LeaderId = "n1", CommitIndex = 9, LastApplied = 1, ReportedAt = now.AddDays(365) }));
        Assert.Contains("in the future", future.Message, StringComparison.Ordinal);
        Assert.Null(await health.GetReportAsync());

        await health.ReportAsync(new RaftStatusReport { LeaderId = "n1", CommitIndex = 1, LastApplied = 1 });
        Assert.Equal(now, (await health.GetReportAsync())!.ReportedAt);
        await health.ReportAsync(new RaftStatusReport { LeaderId = "n1", CommitIndex = 1, LastApplied = 1, ReportedAt = now.AddMinutes(-10) });
        Assert.Equal(now.AddMinutes(-10), (await health.GetReportAsync())!.ReportedAt);
    }
}
