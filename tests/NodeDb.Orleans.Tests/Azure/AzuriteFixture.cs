using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Azure.Data.Tables;
using NodeDb.Orleans.Tests.Azure;

[assembly: AssemblyFixture(typeof(AzuriteFixture))]

namespace NodeDb.Orleans.Tests.Azure;

/// <summary>
/// One in-memory Azurite Table endpoint for the whole test run, on a free loopback port, started on first use and
/// killed on dispose. Tests keep apart by using fresh table names or a random ServiceId/ClusterId.
/// </summary>
/// <remarks>
/// The executable is <c>node_modules/.bin/azurite-table</c> found by walking up from the test binaries, or
/// <c>AZURITE_TABLE_BIN</c>. Missing, it fails the asking test (never skips it) and names the install script.
/// </remarks>
public sealed class AzuriteFixture : IAsyncDisposable
{
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Process? _process;
    private int _port;
    private string? _startError;

    /// <summary>The connection string of the running emulator; call <see cref="EnsureStartedAsync"/> first.</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};TableEndpoint=http://127.0.0.1:{_port}/devstoreaccount1;";

    public TableServiceClient Tables => new(ConnectionString);

    /// <summary>Starts Azurite unless it runs; fails the test with what to do when it cannot.</summary>
    public async Task<string> EnsureStartedAsync()
    {
        await _gate.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            if (_startError is not null)
            {
                Assert.Fail(_startError);
            }

            if (_process is null)
            {
                try
                {
                    await StartAsync();
                }
                catch (Exception e)
                {
                    _startError = $"Azurite could not start: {e.Message}";
                    throw;
                }
            }

            return ConnectionString;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        _gate.Dispose();
    }

    /// <summary>The azurite-table executable: <c>AZURITE_TABLE_BIN</c>, else the nearest <c>node_modules/.bin/azurite-table</c> above the test binaries.</summary>
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

    private async Task StartAsync()
    {
        var executable = FindExecutable();
        if (executable is null)
        {
            Assert.Fail(
                "Azurite is not installed: no node_modules/.bin/azurite-table above " + AppContext.BaseDirectory +
                " (and AZURITE_TABLE_BIN is not set to an existing file). Run scripts/azurite/install.sh, then run the tests again.");
        }

        _port = Processes.Ports.Free();
        var info = new ProcessStartInfo(executable,
            $"--tableHost 127.0.0.1 --tablePort {_port} --inMemoryPersistence --disableTelemetry --silent")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {executable}.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitForPortAsync(_process, _port, TimeSpan.FromSeconds(30));
    }

    private static async Task WaitForPortAsync(Process process, int port, TimeSpan limit)
    {
        using var guard = new CancellationTokenSource(limit);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"azurite-table exited with code {process.ExitCode} before opening port {port}.");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, guard.Token);
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
