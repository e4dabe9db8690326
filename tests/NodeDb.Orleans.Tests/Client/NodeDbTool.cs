using System.Diagnostics;
using System.Text.Json.Nodes;

namespace NodeDb.Orleans.Tests.Client;

/// <summary>Runs the real <c>nodedb</c> program (<c>dotnet nodedb.dll …</c>) as a user would, and captures what it prints.</summary>
internal sealed class NodeDbTool
{
    private readonly Dictionary<string, string> _environment;

    public NodeDbTool(string gateway, string tenant, string user)
    {
        _environment = new Dictionary<string, string>
        {
            ["NODEDB_GATEWAY"] = gateway,
            ["NODEDB_TENANT"] = tenant,
            ["NODEDB_USER"] = user,
        };
    }

    /// <summary>The client's build output, copied next to the tests by the project reference.</summary>
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "nodedb.dll");

    public Task<ToolResult> RunAsync(params string[] args) => RunAsync(args, _environment);

    /// <summary>Runs and expects exit code 0 and JSON on stdout.</summary>
    public async Task<JsonNode> JsonAsync(params string[] args)
    {
        var result = await RunAsync([.. args, "--json"]);
        Assert.True(result.ExitCode == 0, $"nodedb {string.Join(' ', args)} exited {result.ExitCode}: {result.StdErr}");
        return JsonNode.Parse(result.StdOut)!;
    }

    public static Task<ToolResult> RunAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null) =>
        Start(args, environment).Completion;

    /// <summary>Starts <c>nodedb</c> without waiting for it, for tests that act on the process while it runs.</summary>
    public RunningTool Start(params string[] args) => Start(args, _environment);

    private static RunningTool Start(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // A developer's own settings must not leak into the test.
        foreach (var name in new[] { "NODEDB_GATEWAY", "NODEDB_TENANT", "NODEDB_USER" })
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start)!;
        process.StandardInput.Close();
        return new RunningTool(process, WaitAsync(process));
    }

    private static async Task<ToolResult> WaitAsync(Process process)
    {
        using var owned = process;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var guard = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        guard.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(guard.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new ToolResult(process.ExitCode, await stdout, await stderr);
    }
}

/// <summary>A <c>nodedb</c> process still running: its id (to signal it) and what it will have printed when it ends.</summary>
internal sealed record RunningTool(Process Process, Task<ToolResult> Completion)
{
    /// <summary>SIGTERM, as a service manager or <c>kill</c> sends it.</summary>
    public async Task TerminateAsync()
    {
        using var kill = Process.Start("kill", ["-TERM", Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
    }
}

/// <summary>What one <c>nodedb</c> run printed and how it exited.</summary>
internal sealed record ToolResult(int ExitCode, string StdOut, string StdErr);
