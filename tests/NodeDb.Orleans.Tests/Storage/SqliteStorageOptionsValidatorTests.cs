using NodeDb.Orleans.Grains.Storage;

namespace NodeDb.Orleans.Tests.Storage;

public sealed class SqliteStorageOptionsValidatorTests
{
    private readonly SqliteStorageOptionsValidator _validator = new();

    [Fact]
    public void Options_without_a_directory_or_connection_string_fail_naming_both_options()
    {
        var result = _validator.Validate("store", new SqliteStorageOptions());

        Assert.True(result.Failed);
        Assert.Contains("DataDirectory", result.FailureMessage);
        Assert.Contains("ConnectionString", result.FailureMessage);
        Assert.Contains("'store'", result.FailureMessage);
    }

    [Fact]
    public void A_negative_busy_timeout_fails_quoting_the_value()
    {
        var result = _validator.Validate("store", new SqliteStorageOptions { DataDirectory = "/tmp/x", BusyTimeout = TimeSpan.FromSeconds(-1) });

        Assert.True(result.Failed);
        Assert.Contains("BusyTimeout = -00:00:01", result.FailureMessage);
    }

    [Theory]
    [InlineData("/var/lib/nodedb", null)]
    [InlineData(null, "Data Source=:memory:")]
    public void A_directory_or_a_connection_string_is_enough(string? directory, string? connectionString)
    {
        var result = _validator.Validate("store", new SqliteStorageOptions { DataDirectory = directory, ConnectionString = connectionString });

        Assert.True(result.Succeeded);
    }
}
