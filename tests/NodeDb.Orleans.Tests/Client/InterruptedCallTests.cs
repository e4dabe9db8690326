using NodeDb.Orleans.Tests.Firing;
using NodeDb.Orleans.Tests.Processes;

namespace NodeDb.Orleans.Tests.Client;

/// <summary>
/// A <c>nodedb</c> call in flight when its silo dies ends within the retry budget, not the 330 s call timeout; and
/// Ctrl-C or SIGTERM ends it at once. The real client against a real silo process.
/// </summary>
/// <remarks>
/// The client's own 60 s guard (<see cref="NodeDbTool"/>) is what fails these tests when a call waits for its call timeout.
/// </remarks>
[Collection(ClusterCollection.Name)]
public sealed class InterruptedCallTests
{
    // Never ends by itself (the server's 300 s SQL budget aside): the call is in flight for as long as the test needs.
    private const string EndlessQuery = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task A_call_whose_silo_is_killed_ends_with_exit_3_naming_the_gateway()
    {
        var (silo, changes, data, tool) = await StartAsync("killed");
        await using (silo)
        using (changes)
        {
            var running = tool.Start("sql", EndlessQuery, "--retry-for", "3");
            await InFlightAsync(changes, data, "killed");

            await silo.KillAsync();
            var result = await running.Completion;

            Assert.True(result.ExitCode == 3, $"exit {result.ExitCode}: {result.StdErr}");
            Assert.Contains($"the silo at the gateway {silo.Gateway} went away while it held the call", result.StdErr, StringComparison.Ordinal);
            Assert.Contains("may or may not have taken effect", result.StdErr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Sigterm_ends_a_call_in_flight_at_once_as_interrupted()
    {
        var (silo, changes, data, tool) = await StartAsync("sigterm");
        await using (silo)
        using (changes)
        {
            var running = tool.Start("sql", EndlessQuery);
            await InFlightAsync(changes, data, "sigterm");

            await running.TerminateAsync();
            var result = await running.Completion;

            Assert.True(result.ExitCode == 130, $"exit {result.ExitCode}: {result.StdErr}");
            Assert.Contains("interrupted", result.StdErr, StringComparison.Ordinal);
            Assert.False(silo.HasExited);
        }
    }

    private static async Task<(SiloProcess Silo, DirectoryChanges Changes, string Data, NodeDbTool Tool)> StartAsync(string tenant)
    {
        var data = Directory.CreateTempSubdirectory("nodedb-interrupted-").FullName;
        var silo = await SiloProcess.StartAsync("interrupted-" + tenant, ["--data-dir", data]);
        return (silo, new DirectoryChanges(data), data, new NodeDbTool(silo.Gateway, tenant, new Dictionary<string, string> { ["NODEDB_KEY_FILE"] = Path.Combine(data, "cluster-admin.key") }));
    }

    /// <summary>The statement reached the silo: the tenant's database file exists once the silo opens it to run it.</summary>
    private static Task InFlightAsync(DirectoryChanges changes, string data, string tenant) =>
        changes.UntilAsync(
            () => Task.FromResult(File.Exists(Path.Combine(data, "tenants", tenant + ".db"))),
            exists => exists,
            Patience,
            $"the tenant database of '{tenant}' to be opened by the statement");
}
