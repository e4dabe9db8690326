using Azure.Data.Tables;
using NodeDb.Orleans.Tests.Azure;

[assembly: AssemblyFixture(typeof(AzuriteFixture))]

namespace NodeDb.Orleans.Tests.Azure;

/// <summary>
/// One in-memory Azurite Table endpoint for the whole test run (an <see cref="AzuriteProcess"/>), started on first
/// use and killed on dispose. Tests keep apart by using fresh table names or a random ServiceId/ClusterId.
/// </summary>
/// <remarks>
/// The executable is <c>node_modules/.bin/azurite-table</c> found by walking up from the test binaries, or
/// <c>AZURITE_TABLE_BIN</c>. Missing, it fails the asking test (never skips it) and names the install script.
/// </remarks>
public sealed class AzuriteFixture : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private AzuriteProcess? _azurite;
    private string? _startError;

    /// <summary>The connection string of the running emulator; call <see cref="EnsureStartedAsync"/> first.</summary>
    public string ConnectionString =>
        _azurite?.ConnectionString ?? throw new InvalidOperationException("Azurite is not started; call EnsureStartedAsync first.");

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

            if (_azurite is null)
            {
                var executable = AzuriteProcess.FindExecutable();
                if (executable is null)
                {
                    Assert.Fail(
                        "Azurite is not installed: no node_modules/.bin/azurite-table above " + AppContext.BaseDirectory +
                        " (and AZURITE_TABLE_BIN is not set to an existing file). Run scripts/azurite/install.sh, then run the tests again.");
                }

                try
                {
                    _azurite = await AzuriteProcess.StartAsync(executable);
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
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }

        _gate.Dispose();
    }
}
