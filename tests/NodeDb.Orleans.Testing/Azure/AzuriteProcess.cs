using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using NodeDb.Orleans.Tests.Processes;

namespace NodeDb.Orleans.Tests.Azure;

/// <summary>
/// An in-memory Azurite Table endpoint on a free loopback port (<c>node_modules/.bin/azurite-table</c>), killed on
/// dispose. Used by the test run's <c>AzuriteFixture</c> and by the benchmark's failover scenario.
/// </summary>
public sealed class AzuriteProcess : IAsyncDisposable
{
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static readonly TimeSpan PortLimit = TimeSpan.FromSeconds(30);
    private readonly Process _process;

    private AzuriteProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The connection string of the emulator's well-known development account.</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};TableEndpoint=http://127.0.0.1:{Port}/devstoreaccount1;";

    /// <summary>The azurite-table executable: <c>AZURITE_TABLE_BIN</c>, else the nearest <c>node_modules/.bin/azurite-table</c> above the running binaries.</summary>
    public static string? FindExecutable()
    {
        if (Environment.GetEnvironmentVariable("AZURITE_TABLE_BIN") is { Length: > 0 } overridden)
        {
            return File.Exists(overridden) ? overridden : null;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "node_modules", ".bin", "azurite-table");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Starts <paramref name="executable"/> on a free loopback port and waits until the port accepts connections.</summary>
    public static async Task<AzuriteProcess> StartAsync(string executable)
    {
        var port = Ports.Free();
        var info = new ProcessStartInfo(executable,
            $"--tableHost 127.0.0.1 --tablePort {port} --inMemoryPersistence --disableTelemetry --silent")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {executable}.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var result = new AzuriteProcess(process, port);
        try
        {
            await result.WaitForPortAsync();
        }
        catch
        {
            await result.DisposeAsync();
            throw;
        }

        return result;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private async Task WaitForPortAsync()
    {
        using var guard = new CancellationTokenSource(PortLimit);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"azurite-table exited with code {_process.ExitCode} before opening port {Port}.");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port, guard.Token);
                return;
            }
            catch (SocketException)
            {
                // Not listening yet: the port opens about 1.5 s after start.
                await Task.Delay(100, guard.Token);
            }
        }
    }
}
