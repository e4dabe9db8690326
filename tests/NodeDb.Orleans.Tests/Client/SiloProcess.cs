using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace NodeDb.Orleans.Tests.Client;

/// <summary>The real silo program (<c>dotnet NodeDb.Orleans.Silo.dll</c>) on free loopback ports and a temp data directory; killed on dispose.</summary>
internal sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _output = [];

    private SiloProcess(Process process, string dataDirectory, int gatewayPort)
    {
        _process = process;
        DataDirectory = dataDirectory;
        GatewayPort = gatewayPort;
    }

    public string DataDirectory { get; }

    public int GatewayPort { get; }

    public string Gateway => $"127.0.0.1:{GatewayPort}";

    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    /// <summary>Starts the silo; <see cref="WaitStartedAsync"/> completes when the host reports it has started.</summary>
    public static SiloProcess Start(int? gatewayPort = null)
    {
        var data = Directory.CreateTempSubdirectory("nodedb-e2e-").FullName;
        var siloPort = FreePort();
        var gateway = gatewayPort ?? FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var arg in new[]
                 {
                     Path.Combine(AppContext.BaseDirectory, "NodeDb.Orleans.Silo.dll"),
                     "--data-dir", data, "--silo-port", siloPort.ToString(), "--gateway-port", gateway.ToString(),
                 })
        {
            start.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = start };
        var silo = new SiloProcess(process, data, gateway);
        process.OutputDataReceived += (_, e) => silo.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => silo.OnLine(e.Data);
        process.Exited += (_, _) => silo._started.TrySetException(new InvalidOperationException($"The silo exited early:\n{silo.Output}"));
        process.EnableRaisingEvents = true;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return silo;
    }

    public async Task WaitStartedAsync() =>
        await _started.Task.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

    /// <summary>A port that was free a moment ago (the OS hands out ephemeral ports in sequence, so reuse is unlikely).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }

        _process.Dispose();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // The OS temp cleaner removes what a dying process still held.
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
        }

        // Microsoft.Hosting.Lifetime logs this once every hosted service, the Orleans silo included, has started.
        if (line.Contains("Application started", StringComparison.Ordinal))
        {
            _started.TrySetResult();
        }
    }
}
