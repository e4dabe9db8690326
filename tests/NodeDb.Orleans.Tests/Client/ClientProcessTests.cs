using NodeDb.Orleans.Tests.Processes;

namespace NodeDb.Orleans.Tests.Client;

/// <summary>The <c>nodedb</c> process without a silo: usage errors and an unreachable gateway, each with its exit code.</summary>
public sealed class ClientProcessTests
{
    // Nothing listens here: the port was free a moment ago and nothing in this test binds it.
    private static readonly Dictionary<string, string> NoSilo = new() { ["NODEDB_GATEWAY"] = $"127.0.0.1:{Ports.Free()}" };

    [Theory]
    [InlineData(new[] { "schedule", "history" }, "needs NAME")]
    [InlineData(new[] { "schedule", "history", "nightly", "--limit", "0" }, "--limit '0'")]
    [InlineData(new[] { "schedule", "history", "nightly", "--status", "Sleeping" }, "--status 'Sleeping'")]
    [InlineData(new[] { "schedule", "show", "Bad/Name" }, "'Bad/Name'")]
    [InlineData(new[] { "schedule", "backfill", "nightly", "--from", "yesterday", "--to", "2026-01-01T00:00:00Z" }, "--from 'yesterday'")]
    [InlineData(new[] { "schedule", "backfill", "nightly", "--from", "2026-02-01T00:00:00Z", "--to", "2026-01-01T00:00:00Z" }, "lies before --from")]
    [InlineData(new[] { "health", "report", "0", "--commit", "-3", "--applied", "1" }, "--commit '-3'")]
    [InlineData(new[] { "cron", "next", "* * * * *", "--count", "5000" }, "--count '5000'")]
    [InlineData(new[] { "sql" }, "exactly one")]
    [InlineData(new[] { "sql", "-f", "/no/such/file.sql" }, "'/no/such/file.sql'")]
    [InlineData(new[] { "schedule", "list", "--gateway", "localhost" }, "--gateway 'localhost'")]
    [InlineData(new[] { "schedule", "list", "--tenant", "a/b" }, "'a/b'")]
    [InlineData(new[] { "frobnicate" }, "frobnicate")]
    public async Task Usage_errors_name_the_bad_value_and_exit_2_without_contacting_a_silo(string[] args, string named)
    {
        var result = await NodeDbTool.RunAsync(args, NoSilo);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(named, result.StdErr);
        Assert.StartsWith("error: ", result.StdErr);
        Assert.DoesNotContain("   at ", result.StdErr); // no stack trace
        Assert.Equal("", result.StdOut);
    }

    [Fact]
    public async Task No_silo_at_the_gateway_is_exit_3_with_a_message_naming_the_gateway()
    {
        var result = await NodeDbTool.RunAsync(["schedule", "list", "--connect-timeout", "1"], NoSilo);

        Assert.Equal(3, result.ExitCode);
        Assert.Contains($"no silo answered at the gateway {NoSilo["NODEDB_GATEWAY"]}", result.StdErr);
        Assert.DoesNotContain("   at ", result.StdErr);
        Assert.Equal("", result.StdOut);
    }

    [Fact]
    public async Task Help_lists_every_command_and_exits_0()
    {
        var result = await NodeDbTool.RunAsync(["--help"], NoSilo);

        Assert.Equal(0, result.ExitCode);
        foreach (var command in new[] { "sql", "schedule", "cron", "health", "--gateway", "--tenant", "--json" })
        {
            Assert.Contains(command, result.StdOut);
        }
    }
}
