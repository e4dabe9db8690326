using NodeDb.Orleans.Tests.Security;
using NodeDb.Orleans.Tests.Firing;
using NodeDb.Orleans.Tests.Processes;

namespace NodeDb.Orleans.Tests.Failover;

/// <summary>The real silo refuses an azure-profile start whose tenant databases are SQLite files nobody said are shared.</summary>
[Collection(ClusterCollection.Name)]
public sealed class AzureProfileStartupTests
{
    [Fact]
    public async Task An_azure_silo_with_sqlite_tenants_and_no_shared_data_dir_statement_refuses_to_start_and_says_why()
    {
        var data = Directory.CreateTempSubdirectory("nodedb-azure-refusal-").FullName;
        await using var silo = SiloProcess.Launch("azure-refusal",
        [
            "--profile", "azure",
            "--azure-storage", "UseDevelopmentStorage=true",
            "--cluster-id", "refusal-" + Guid.NewGuid().ToString("N")[..8],
            "--data-dir", data,
            .. TestKeys.SiloArguments,
            .. TestCertificate.Instance.SiloArguments,
        ]);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(silo.WaitStartedAsync);

        Assert.True(silo.HasExited);
        Assert.Contains("tenant databases are SQLite files under '" + data + "'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("--shared-data-dir", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Sql:Engine=Postgres", refused.Message, StringComparison.Ordinal);
    }
}
