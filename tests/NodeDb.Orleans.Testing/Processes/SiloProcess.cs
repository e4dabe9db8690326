using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
namespace NodeDb.Orleans.Tests.Processes;

/// <summary>
/// A real silo process, started the way docs/operations.md tells an operator:
/// <c>dotnet NodeDb.Orleans.Silo.dll --silo-port … --gateway-port … [profile switches]</c>. Killed on dispose.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private const int SigTerm = 15;
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentQueue<string> _output = new();

    private SiloProcess(string name, int siloPort, int gatewayPort, int adminPort, Process process)
    {
        Name = name;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
        AdminPort = adminPort;
        _process = process;
    }

    public string Name { get; }

    public int SiloPort { get; }

    public int GatewayPort { get; }

    /// <summary>The admin listener (health, metrics): a free port unless the arguments name one.</summary>
    public int AdminPort { get; }

    /// <summary>The admin listener's base address, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public Uri AdminUri => new($"http://127.0.0.1:{AdminPort}");

    /// <summary>The gateway as the client's <c>--gateway</c> takes it.</summary>
    public string Gateway => $"127.0.0.1:{GatewayPort}";

    public bool HasExited => _process.HasExited;

    /// <summary>Everything the process printed, for failure messages.</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>The silo's build output: <c>NODEDB_SILO_DLL</c>, else src/Silo/bin/{configuration}/net10.0 of this checkout.</summary>
    public static string FindSiloDll()
    {
        if (Environment.GetEnvironmentVariable("NODEDB_SILO_DLL") is { Length: > 0 } overridden)
        {
            return overridden;
        }

        var bin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = bin.Name;
        var configuration = bin.Parent!.Name;
        for (var dir = bin; dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "Silo", "bin", configuration, framework, "NodeDb.Orleans.Silo.dll");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            $"NodeDb.Orleans.Silo.dll ({configuration}/{framework}) not found above {AppContext.BaseDirectory}; build src/Silo or set NODEDB_SILO_DLL.");
    }

    /// <summary>Starts a silo on free loopback ports and waits until it reports that it started.</summary>
    /// <remarks>
    /// A free port is only free when it is picked: another process can bind it before the silo does. When the silo exits
    /// for that reason ("address already in use") and its ports were picked here, it is started again on new ones.
    /// </remarks>
    public static async Task<SiloProcess> StartAsync(string name, IEnumerable<string> arguments, int? siloPort = null, int? gatewayPort = null)
    {
        var given = arguments.ToList();
        var portsPickedHere = siloPort is null && gatewayPort is null && !given.Contains("--admin-port");
        for (var attempt = 1; ; attempt++)
        {
            var result = Launch(name, given, siloPort, gatewayPort);
            try
            {
                await result.WaitStartedAsync();
                return result;
            }
            catch (InvalidOperationException) when (portsPickedHere && attempt < 3
                && result.Output.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                await result.DisposeAsync();
            }
            catch (Exception e) when (e is TimeoutException or InvalidOperationException)
            {
                await result.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>Starts a silo without waiting for it (a client may be started first, to test its connect retry).</summary>
    public static SiloProcess Launch(string name, IEnumerable<string> arguments, int? siloPort = null, int? gatewayPort = null)
    {
        var dll = FindSiloDll();
        var silo = siloPort ?? Ports.Free();
        var gateway = gatewayPort ?? Ports.Free();
        var info = new ProcessStartInfo("dotnet")
        {
            // The silo's own folder: its appsettings.json (log levels) is read from the working directory.
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        var given = arguments.ToList();
        var adminAt = given.IndexOf("--admin-port");
        var admin = adminAt >= 0 && adminAt + 1 < given.Count ? int.Parse(given[adminAt + 1], System.Globalization.CultureInfo.InvariantCulture) : Ports.Free();
        if (adminAt < 0)
        {
            // Several silos share this host: each gets its own admin port, never the default 29111.
            given.AddRange(["--admin-port", $"{admin}"]);
        }

        foreach (var argument in given.Concat(["--silo-port", $"{silo}", "--gateway-port", $"{gateway}"]))
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["Logging__Console__FormatterName"] = "simple";
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var result = new SiloProcess(name, silo, gateway, admin, process);
        process.OutputDataReceived += (_, e) => result.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => result.OnLine(e.Data);
        process.Exited += (_, _) => result._started.TrySetException(
            new InvalidOperationException($"Silo {name} exited before it started:\n{result.Output}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return result;
    }

    /// <summary>Completes when the host reports that every hosted service, the silo included, has started.</summary>
    public async Task WaitStartedAsync()
    {
        try
        {
            await _started.Task.WaitAsync(StartLimit);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Silo {Name} did not start within {StartLimit.TotalSeconds} s:\n{Output}");
        }
    }

    /// <summary>SIGKILL: no shutdown code runs, exactly like a crashed host.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    /// <summary>
    /// SIGTERM, as a deploy or <c>kubectl delete pod</c> stops a host: the silo shuts down gracefully (hands its schedules
    /// over, drains its runs, leaves membership). Waits for the exit; SIGKILLs after <paramref name="limit"/>.
    /// </summary>
    /// <returns>Whether the process exited by itself within the limit.</returns>
    public async Task<bool> StopAsync(TimeSpan limit)
    {
        if (_process.HasExited)
        {
            return true;
        }

        if (Terminate(_process.Id, SigTerm) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, SIGTERM) failed with errno {Marshal.GetLastPInvokeError()}.");
        }

        try
        {
            await _process.WaitForExitAsync().WaitAsync(limit);
            return true;
        }
        catch (TimeoutException)
        {
            await KillAsync();
            return false;
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Terminate(int pid, int signal);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        catch (InvalidOperationException)
        {
            // Never started.
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > 2000)
        {
            _output.TryDequeue(out _);
        }

        if (line.Contains("Application started", StringComparison.Ordinal))
        {
            _started.TrySetResult();
        }
    }
}
