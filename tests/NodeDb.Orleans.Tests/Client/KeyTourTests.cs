using NodeDb.Orleans.Tests.Firing;
using NodeDb.Orleans.Tests.Processes;

namespace NodeDb.Orleans.Tests.Client;

/// <summary>
/// Keys with the real programs, as the README tells it: a fresh embedded silo, <c>nodedb</c> without a key, the
/// bootstrap key found next to the silo's data, tenant keys made by the admin, tenants kept apart, a revocation.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class KeyTourTests
{
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task On_a_fresh_embedded_silo_nothing_works_without_a_key_and_a_tenant_key_stays_in_its_tenant()
    {
        var root = Directory.CreateTempSubdirectory("nodedb-keys-").FullName;
        var elsewhere = Directory.CreateTempSubdirectory("nodedb-elsewhere-").FullName;
        var data = Path.Combine(root, ".data");
        var keyFile = Path.Combine(data, "cluster-admin.key");
        await using var silo = await SiloProcess.StartAsync("keys", ["--data-dir", data]);

        // The bootstrap key: a file only its owner reads, and the log says where (never what).
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        var bootstrap = (await File.ReadAllTextAsync(keyFile, TestContext.Current.CancellationToken)).Trim();
        Assert.Contains(keyFile, silo.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(bootstrap, silo.Output, StringComparison.Ordinal);

        // No key anywhere: a clear refusal that says how to get one.
        var anonymous = await new NodeDbTool(silo.Gateway, null, workingDirectory: elsewhere).RunAsync("schedule", "list");
        Assert.Equal(4, anonymous.ExitCode);
        Assert.Contains("no API key", anonymous.StdErr, StringComparison.Ordinal);
        Assert.Contains("cluster-admin.key", anonymous.StdErr, StringComparison.Ordinal);
        Assert.Contains("nodedb key create", anonymous.StdErr, StringComparison.Ordinal);

        // In the directory the silo was started from, the client finds the silo's key by itself.
        var local = new NodeDbTool(silo.Gateway, null, workingDirectory: root);
        var keyA = (await local.JsonAsync("key", "create", "ann", "--role", "admin", "--tenant", "a"))["key"]!.GetValue<string>();
        var keyB = (await local.JsonAsync("key", "create", "bea", "--role", "admin", "--tenant", "b"))["key"]!.GetValue<string>();
        var a = new NodeDbTool(silo.Gateway, null, new Dictionary<string, string> { ["NODEDB_KEY"] = keyA }, elsewhere);
        var b = new NodeDbTool(silo.Gateway, null, new Dictionary<string, string> { ["NODEDB_KEY"] = keyB }, elsewhere);

        // The tenant comes from the key: B's schedule is B's, A sees none of it.
        await b.JsonAsync("sql", "CREATE SCHEDULE secret CRON '0 0 1 1 *' AS BEGIN SELECT 1; END");
        Assert.Equal("bea", Assert.Single((await b.JsonAsync("schedule", "list")).AsArray())!["owner"]!.GetValue<string>());
        Assert.Empty((await a.JsonAsync("schedule", "list")).AsArray());
        var cross = await a.RunAsync("schedule", "show", "secret", "--tenant", "b");
        Assert.Equal(2, cross.ExitCode);
        Assert.Contains("acts for tenant 'a' only", cross.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain(keyA, cross.StdErr, StringComparison.Ordinal);

        // A key file others may read is refused.
        var open = Path.Combine(elsewhere, "open.key");
        await File.WriteAllTextAsync(open, keyA, TestContext.Current.CancellationToken);
        File.SetUnixFileMode(open, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var tooOpen = await new NodeDbTool(silo.Gateway, null, new Dictionary<string, string> { ["NODEDB_KEY_FILE"] = open }, elsewhere).RunAsync("schedule", "list");
        Assert.Equal(2, tooOpen.ExitCode);
        Assert.Contains("chmod 600", tooOpen.StdErr, StringComparison.Ordinal);

        // The admin revokes A's key; it stops working (this silo holds the key grain: at once).
        var listed = (await local.JsonAsync("key", "list", "--tenant", "a")).AsArray();
        var id = Assert.Single(listed)!["id"]!.GetValue<string>();
        Assert.DoesNotContain(keyA.Split('.')[3], listed.ToJsonString(), StringComparison.Ordinal);
        await local.JsonAsync("key", "revoke", id, "--tenant", "a");
        var revoked = await a.RunAsync("schedule", "list");
        Assert.Equal(4, revoked.ExitCode);
        Assert.Contains($"API key {id} was revoked", revoked.StdErr, StringComparison.Ordinal);

        // Tenant a's audit log shows the refusal of the revoked key and who revoked it; b's admin may not read it.
        var audit = (await local.JsonAsync("audit", "--tenant", "a")).AsArray();
        Assert.Contains(audit, e => e!["action"]!.GetValue<string>() == "IApiKeysGrain.RevokeAsync" && e["principal"]!.GetValue<string>() == "cluster-admin");
        Assert.Contains(audit, e => e!["outcome"]!.GetValue<string>() == "unauthenticated" && e["keyId"]?.GetValue<string>() == id);
        var peek = await b.RunAsync("audit", "--tenant", "a");
        Assert.Equal(2, peek.ExitCode);
        var peekServer = await b.RunAsync("audit");
        Assert.Equal(0, peekServer.ExitCode);
    }
}
