using System.Diagnostics;
using System.Text.Json.Nodes;

namespace NodeDb.Orleans.Tests.Client;

/// <summary>Runs the real <c>nodedb</c> program (<c>dotnet nodedb.dll …</c>) as a user would, and captures what it prints.</summary>
internal sealed class NodeDbTool
{
    private static readonly string[] Inherited = ["NODEDB_GATEWAY", "NODEDB_TENANT", "NODEDB_USER", "NODEDB_KEY", "NODEDB_KEY_FILE"];
    private readonly Dictionary<string, string> _environment;
    private readonly string? _workingDirectory;

    public NodeDbTool(string gateway, string? tenant, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        _environment = new Dictionary<string, string>(environment ?? new Dictionary<string, string>()) { ["NODEDB_GATEWAY"] = gateway };
        if (tenant is not null)
        {
            _environment["NODEDB_TENANT"] = tenant;
        }

        _workingDirectory = workingDirectory;
    }

    /// <summary>The same tool with one more environment variable (a key, a key file).</summary>
    public NodeDbTool With(string name, string value) =>
        new(_environment["NODEDB_GATEWAY"], null, new Dictionary<string, string>(_environment) { [name] = value }, _workingDirectory);

    private static readonly Lazy<string> EmptyHome = new(() => Directory.CreateTempSubdirectory("nodedb-home-").FullName);

    /// <summary>
    /// The client in its own build output (src/Client/bin/{configuration}/{framework}), run the way docs/client.md says.
    /// Not the copy next to the tests: the test folder resolves its assemblies for the silo's ASP.NET Core shared
    /// framework, which the client does not use, so the client's own dependencies are not all there.
    /// </summary>
    public static string Dll { get; } = FindDll();

    private static string FindDll()
    {
        var bin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = bin.Name;
        var configuration = bin.Parent!.Name;
        for (var dir = bin; dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "Client", "bin", configuration, framework, "nodedb.dll");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"nodedb.dll ({configuration}/{framework}) not found above {AppContext.BaseDirectory}; build src/Client.");
    }

    public Task<ToolResult> RunAsync(params string[] args) => RunAsync(args, _environment, _workingDirectory);

    /// <summary>Runs and expects exit code 0 and JSON on stdout.</summary>
    public async Task<JsonNode> JsonAsync(params string[] args)
    {
        var result = await RunAsync([.. args, "--json"]);
        Assert.True(result.ExitCode == 0, $"nodedb {string.Join(' ', args)} exited {result.ExitCode}: {result.StdErr}");
        return JsonNode.Parse(result.StdOut)!;
    }

    public static async Task<ToolResult> RunAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // A developer's own settings (and ~/.nodedb/credentials) must not leak into the test.
        foreach (var name in Inherited)
        {
            start.Environment.Remove(name);
        }

        start.Environment["HOME"] = EmptyHome.Value;

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
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

/// <summary>What one <c>nodedb</c> run printed and how it exited.</summary>
internal sealed record ToolResult(int ExitCode, string StdOut, string StdErr);
