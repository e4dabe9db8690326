using NodeDb.Orleans.Tests.Processes;
using System.Text.Json.Nodes;
using NodeDb.Orleans.Tests.Firing;

namespace NodeDb.Orleans.Tests.Client;

/// <summary>
/// The README's tour, run for real: a silo process and <c>nodedb</c> processes talking to it over loopback.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class EndToEndTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_user_creates_inspects_pauses_triggers_and_drops_a_schedule_with_nodedb_alone()
    {
        // The first command starts before the silo does: the client keeps trying until the gateway answers.
        var gatewayPort = Ports.Free();
        var data = Directory.CreateTempSubdirectory("nodedb-e2e-").FullName;

        // The silo writes its first cluster-admin key into its data directory; this client reads it from there.
        var tool = new NodeDbTool($"127.0.0.1:{gatewayPort}", "e2e", new Dictionary<string, string> { ["NODEDB_KEY_FILE"] = Path.Combine(data, "cluster-admin.key") });
        var script = Path.Combine(Path.GetTempPath(), $"nodedb-e2e-{Guid.NewGuid():N}.sql");
        await File.WriteAllTextAsync(script, """
            -- a table, and a schedule that fills it every second (6 fields: seconds first)
            CREATE TABLE ticks (id INTEGER PRIMARY KEY, at TEXT NOT NULL);
            CREATE SCHEDULE ticker CRON '* * * * * *' TIMEZONE 'Europe/Berlin'
              AS BEGIN
                INSERT INTO ticks (at) VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
              END;
            """, TestContext.Current.CancellationToken);
        var first = tool.RunAsync("sql", "-f", script, "--json", "--connect-timeout", "60");
        await using var silo = SiloProcess.Launch("e2e", ["--data-dir", data], gatewayPort: gatewayPort);
        using var changes = new DirectoryChanges(data);
        var created = await first;
        File.Delete(script);
        Assert.True(created.ExitCode == 0, created.StdErr + silo.Output);
        var tags = JsonNode.Parse(created.StdOut)!.AsArray();
        Assert.StartsWith("CREATE", tags[0]!["tag"]!.GetValue<string>());
        Assert.Equal("CREATE SCHEDULE", tags[1]!["tag"]!.GetValue<string>());
        Assert.Equal("ticker", tags[1]!["schedule"]!.GetValue<string>());

        // The rows arrive in the tenant's database.
        var count = await changes.UntilAsync(
            () => CountAsync(tool),
            n => n >= 2,
            Patience,
            "two rows in ticks");
        Assert.True(count >= 2);

        // The list shows it, in its zone, owned by the principal of the key that created it.
        var list = (await tool.JsonAsync("schedule", "list")).AsArray();
        var ticker = Assert.Single(list)!;
        Assert.Equal(("ticker", "* * * * * *", "Europe/Berlin", true, false), (
            ticker["name"]!.GetValue<string>(), ticker["cron"]!.GetValue<string>(), ticker["timeZone"]!.GetValue<string>(),
            ticker["enabled"]!.GetValue<bool>(), ticker["paused"]!.GetValue<bool>()));
        Assert.Equal("cluster-admin", ticker["owner"]!.GetValue<string>());
        var nextRun = DateTimeOffset.Parse(ticker["nextRun"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin").GetUtcOffset(nextRun), nextRun.Offset);

        // The silo's load as it reports it: the schedule it hosts, of its 32 slots.
        var silos = (await tool.JsonAsync("health", "silos")).AsArray();
        var only = Assert.Single(silos)!;
        Assert.Equal(("active", 32), (only["status"]!.GetValue<string>(), only["slots"]!.GetValue<int>()));
        Assert.True(only["schedulesHosted"]!.GetValue<int>() >= 1, only.ToJsonString());

        // History in JSON: newest first, succeeded cron runs, one per inserted row.
        var history = (await tool.JsonAsync("schedule", "history", "ticker", "--limit", "50")).AsArray();
        Assert.True(history.Count >= 2);
        var scheduled = history.Select(r => DateTimeOffset.Parse(r!["scheduledAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(scheduled.OrderByDescending(s => s), scheduled);
        var run = history[0]!.AsObject();
        foreach (var field in new[] { "runId", "scheduledAt", "startedAt", "finishedAt", "durationMs", "status", "reason", "error", "attempt", "silo", "owner" })
        {
            Assert.True(run.ContainsKey(field), $"history row lacks '{field}': {run}");
        }

        Assert.All(history, r => Assert.Equal("cluster-admin", r!["owner"]!.GetValue<string>()));

        // The admin makes a key for alice, an operator of tenant e2e; from here on she acts with it.
        var aliceKey = await tool.JsonAsync("key", "create", "alice", "--role", "operator");
        Assert.Equal(("e2e", "alice", "operator"), (aliceKey["scope"]!.GetValue<string>(), aliceKey["principal"]!.GetValue<string>(), aliceKey["role"]!.GetValue<string>()));
        var admin = tool;
        tool = tool.With("NODEDB_KEY", aliceKey["key"]!.GetValue<string>());
        var ddl = await tool.RunAsync("sql", "DROP SCHEDULE IF EXISTS other");
        Assert.Equal(4, ddl.ExitCode);
        Assert.Contains("needs the admin role", ddl.StdErr, StringComparison.Ordinal);

        // Pause records who, when and why; while paused, due occurrences are recorded as skipped, not run.
        var paused = await tool.JsonAsync("schedule", "pause", "ticker", "--note", "maintenance window");
        Assert.True(paused["paused"]!.GetValue<bool>());
        var shown = await tool.JsonAsync("schedule", "show", "ticker");
        Assert.Equal(("alice", "maintenance window"), (shown["pause"]!["by"]!.GetValue<string>(), shown["pause"]!["note"]!.GetValue<string>()));
        var skipped = await changes.UntilAsync(
            async () => (await tool.JsonAsync("schedule", "history", "ticker", "--status", "Skipped")).AsArray(),
            a => a.Count >= 1,
            Patience,
            "a skipped (paused) occurrence");
        Assert.Contains("paused", skipped[0]!["reason"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);

        // Each succeeded run inserted exactly one row, and every row is a succeeded run: exactly, now that nothing new
        // starts. (A run in flight at the pause commits its row a moment before its history row, so wait for the two to
        // meet; a duplicate insert, or a committed run without its row, keeps them apart for good.)
        var settled = await changes.UntilAsync(
            async () => (Rows: await CountAsync(admin),
                Succeeded: (await tool.JsonAsync("schedule", "history", "ticker", "--limit", "1000", "--status", "succeeded")).AsArray().Count),
            p => p.Rows == p.Succeeded,
            Patience,
            "every inserted row to be one succeeded run");
        Assert.Equal(settled.Rows, settled.Succeeded);
        Assert.True(settled.Rows >= 2);

        var resumed = await tool.JsonAsync("schedule", "resume", "ticker");
        Assert.False(resumed["paused"]!.GetValue<bool>());
        Assert.Null(resumed["pause"]);

        // Trigger runs now, recorded as a manual run under its own id.
        var runId = (await tool.JsonAsync("schedule", "trigger", "ticker"))["runId"]!.GetValue<string>();
        var manual = await changes.UntilAsync(
            async () => (await tool.JsonAsync("schedule", "history", "ticker", "--limit", "1000")).AsArray().FirstOrDefault(r => r!["runId"]!.GetValue<string>() == runId),
            r => r is not null && r["status"]!.GetValue<string>() == "Succeeded",
            Patience,
            $"manual run {runId} to succeed");
        Assert.Equal("Manual", manual!["trigger"]!.GetValue<string>());

        // Drop: gone from the list; a second DROP names it; IF EXISTS does not fail.
        var dropped = await admin.JsonAsync("sql", "DROP SCHEDULE ticker");
        Assert.Equal(("DROP SCHEDULE", true), (dropped["tag"]!.GetValue<string>(), dropped["changed"]!.GetValue<bool>()));
        Assert.Empty((await admin.JsonAsync("schedule", "list")).AsArray());
        var again = await admin.RunAsync("sql", "DROP SCHEDULE ticker");
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("'ticker'", again.StdErr);
        var ifExists = await admin.JsonAsync("sql", "DROP SCHEDULE IF EXISTS ticker");
        Assert.False(ifExists["changed"]!.GetValue<bool>());
    }

    private static async Task<long> CountAsync(NodeDbTool tool) =>
        (await tool.JsonAsync("sql", "SELECT count(*) AS n FROM ticks"))[0]!["n"]!.GetValue<long>();
}
