using Microsoft.Extensions.Options;

namespace NodeDb.Orleans.Grains.Sql.Execution;

/// <summary>Fails start-up on options that cannot work, with a message naming the option and its value.</summary>
public sealed class TenantDatabaseOptionsValidator : IValidateOptions<TenantDatabaseOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, TenantDatabaseOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var prefix = nameof(TenantDatabaseOptions) + ".";

        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            failures.Add($"{prefix}{nameof(options.DataDirectory)} is '{options.DataDirectory}': it must name a directory for the tenants' SQLite files.");
        }

        if (!Enum.IsDefined(options.Engine))
        {
            failures.Add($"{prefix}{nameof(options.Engine)} is '{options.Engine}': it must be Sqlite or Postgres.");
        }

        if (options.PostgresConnectionTemplate is { } template && !template.Contains("{tenant}", StringComparison.Ordinal))
        {
            failures.Add($"{prefix}{nameof(options.PostgresConnectionTemplate)} is '{template}': it must contain {{tenant}}, or every tenant would share one database.");
        }

        if (options.Engine == TenantDatabaseEngine.Postgres && string.IsNullOrWhiteSpace(options.PostgresConnectionTemplate) && options.PostgresConnections.Count == 0)
        {
            failures.Add($"{prefix}{nameof(options.Engine)} is Postgres but neither {nameof(options.PostgresConnectionTemplate)} nor {nameof(options.PostgresConnections)} is set.");
        }

        foreach (var (tenant, connection) in options.PostgresConnections)
        {
            if (!TenantName.IsValid(tenant))
            {
                failures.Add($"{prefix}{nameof(options.PostgresConnections)} has tenant '{tenant}': {TenantName.Rule}");
            }

            if (string.IsNullOrWhiteSpace(connection))
            {
                failures.Add($"{prefix}{nameof(options.PostgresConnections)}['{tenant}'] is empty: it must be an Npgsql connection string.");
            }
        }

        if (options.PostgresRoleTemplate is { } role && string.IsNullOrWhiteSpace(role))
        {
            failures.Add($"{prefix}{nameof(options.PostgresRoleTemplate)} is '{role}': leave it null for no role switch, or name a role.");
        }

        if (options.PostgresLedgerKey is { } key && key.Length < 32)
        {
            failures.Add($"{prefix}{nameof(options.PostgresLedgerKey)} is {key.Length} characters long: use at least 32 random characters, or leave it null (development only).");
        }

        Positive(failures, prefix + nameof(options.DefaultTimeout), options.DefaultTimeout);
        Positive(failures, prefix + nameof(options.LedgerRetention), options.LedgerRetention);
        Positive(failures, prefix + nameof(options.LedgerPruneInterval), options.LedgerPruneInterval);
        Positive(failures, prefix + nameof(options.SqliteBusyTimeout), options.SqliteBusyTimeout);
        InRange(failures, prefix + nameof(options.SqliteMaxValueBytes), options.SqliteMaxValueBytes, 1024, 1_000_000_000);
        InRange(failures, prefix + nameof(options.SqliteMaxStatementLength), options.SqliteMaxStatementLength, 1024, 1_000_000_000);
        InRange(failures, prefix + nameof(options.SqliteMaxExpressionDepth), options.SqliteMaxExpressionDepth, 10, 1000);
        InRange(failures, prefix + nameof(options.AdHocMaxRows), options.AdHocMaxRows, 1, int.MaxValue);
        InRange(failures, prefix + nameof(options.AdHocMaxResultBytes), options.AdHocMaxResultBytes, 1024, int.MaxValue);
        InRange(failures, prefix + nameof(options.AdHocMaxConcurrentPerTenant), options.AdHocMaxConcurrentPerTenant, 1, 10_000);
        if (options.RetryBackoff < TimeSpan.Zero)
        {
            failures.Add($"{prefix}{nameof(options.RetryBackoff)} is '{options.RetryBackoff}': it cannot be negative.");
        }

        if (options.LedgerRetention > TimeSpan.Zero && options.LedgerRetention < options.DefaultTimeout)
        {
            failures.Add($"{prefix}{nameof(options.LedgerRetention)} is '{options.LedgerRetention}', shorter than {nameof(options.DefaultTimeout)} '{options.DefaultTimeout}': a run still in flight could lose its ledger row and run twice.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void InRange(List<string> failures, string option, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            failures.Add($"{option} is {value}: it must be from {min} to {max}.");
        }
    }

    private static void Positive(List<string> failures, string option, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{option} is '{value}': it must be positive.");
        }
    }
}
