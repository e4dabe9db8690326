using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NodeDb.Orleans.Grains.Running;
using NodeDb.Orleans.Grains.Sql.Execution;
using NodeDb.Orleans.Grains.Sql.Text;

namespace NodeDb.Orleans.Tests.Sql;

/// <summary>The runner's pure parts: backoff, error classes, options validation, wiring and the PL/pgSQL block.</summary>
public sealed class RunnerPolicyTests
{
    [Theory]
    [InlineData(1, 200)]
    [InlineData(2, 400)]
    [InlineData(3, 800)]
    [InlineData(10, 60_000)]
    public void Backoff_doubles_from_the_base_and_is_capped(int attempt, int expectedMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), RetryPolicy.Backoff(TimeSpan.FromMilliseconds(200), attempt));

    [Theory]
    [InlineData(1, 1, 10_000, 200)] // first failure, one retry, plenty of budget
    [InlineData(2, 1, 10_000, null)] // retries used
    [InlineData(1, 0, 10_000, null)] // no retries configured
    [InlineData(1, 3, 150, null)] // the wait would use up the budget
    public void The_next_attempt_fits_the_retries_and_the_budget(int failedAttempt, int retries, int remainingMs, int? expectedMs) =>
        Assert.Equal(
            expectedMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null,
            RetryPolicy.NextDelay(TimeSpan.FromMilliseconds(200), failedAttempt, retries, TimeSpan.FromMilliseconds(remainingMs)));

    [Theory]
    [InlineData("40001", true)] // serialization_failure
    [InlineData("40P01", true)] // deadlock_detected
    [InlineData("08006", true)] // connection_failure
    [InlineData("57P01", true)] // admin_shutdown
    [InlineData("55P03", true)] // lock_not_available
    [InlineData("23505", false)] // unique_violation
    [InlineData("42601", false)] // syntax_error
    [InlineData("42P01", false)] // undefined_table
    [InlineData("P0001", false)] // raise_exception
    [InlineData("57014", false)] // query_canceled: our own timeout, never retried
    public void Only_errors_that_can_succeed_later_are_transient(string sqlState, bool transient) =>
        Assert.Equal(transient, SqlErrors.IsTransientSqlState(sqlState));

    [Fact]
    public void Bad_options_fail_naming_the_option_and_the_value()
    {
        var result = new TenantDatabaseOptionsValidator().Validate(null, new TenantDatabaseOptions
        {
            Engine = TenantDatabaseEngine.Postgres,
            PostgresConnectionTemplate = "Host=db;Database=shared",
            RetryBackoff = TimeSpan.FromSeconds(-1),
            DefaultTimeout = TimeSpan.Zero,
            PostgresConnections = { ["../evil"] = "Host=x" },
        });

        Assert.True(result.Failed);
        Assert.Contains("TenantDatabaseOptions.PostgresConnectionTemplate is 'Host=db;Database=shared'", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("TenantDatabaseOptions.RetryBackoff is '-00:00:01'", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("TenantDatabaseOptions.DefaultTimeout is '00:00:00'", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("tenant '../evil'", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void The_defaults_are_valid_and_as_documented()
    {
        var options = new TenantDatabaseOptions();

        Assert.True(new TenantDatabaseOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal(TenantDatabaseEngine.Sqlite, options.Engine);
        Assert.Equal(TimeSpan.FromSeconds(300), options.DefaultTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(200), options.RetryBackoff);
    }

    [Fact]
    public void AddNodeDbSql_is_idempotent_and_fails_fast_on_bad_options()
    {
        var services = new ServiceCollection();
        services.AddNodeDbSql(o => o.DataDirectory = "a");
        services.AddNodeDbSql(o => o.DefaultTimeout = TimeSpan.Zero);

        Assert.Single(services, d => d.ServiceType == typeof(IJobRunner));
        using var provider = services.BuildServiceProvider();
        var error = Assert.Throws<OptionsValidationException>(provider.GetRequiredService<IJobRunner>);
        Assert.Contains("DefaultTimeout is '00:00:00'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tenant_name_that_is_not_a_file_name_is_refused_before_touching_a_database()
    {
        var services = new ServiceCollection().AddNodeDbSql(o => o.DataDirectory = Path.GetTempPath());
        await using var provider = services.BuildServiceProvider();
        var runner = provider.GetRequiredService<IJobRunner>();

        var outcome = await runner.RunAsync(
            new JobRequest { Tenant = "../etc", Schedule = "s", RunId = "r", Body = "BEGIN SELECT 1; END", Owner = "o", Timeout = TimeSpan.FromSeconds(1) },
            TestContext.Current.CancellationToken);

        Assert.Equal(RunStatus.Failed, outcome.Status);
        Assert.Contains("Tenant '../etc'", outcome.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Leading_declarations_move_before_the_plpgsql_begin()
    {
        var block = PlPgSqlBlock.Build(SqlBody.Parse("BEGIN DECLARE n int := 0; n := n + 1; INSERT INTO t VALUES (n); END"));

        Assert.Equal("DO $nodedb$\nDECLARE n int := 0;\nBEGIN\nn := n + 1;\nINSERT INTO t VALUES (n);\nEND\n$nodedb$", block);
    }

    [Fact]
    public void The_dollar_quote_tag_never_occurs_in_the_body()
    {
        var block = PlPgSqlBlock.Build(SqlBody.Parse("BEGIN INSERT INTO t VALUES ('$nodedb$'); END"));

        Assert.StartsWith("DO $nodedb1$\n", block, StringComparison.Ordinal);
        Assert.EndsWith("\n$nodedb1$", block, StringComparison.Ordinal);
    }
}
