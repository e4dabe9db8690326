using Microsoft.Extensions.Options;

namespace NodeDb.Orleans.Grains.Storage;

/// <summary>Fails silo start-up when <see cref="SqliteStorageOptions"/> cannot name a database.</summary>
internal sealed class SqliteStorageOptionsValidator : IValidateOptions<SqliteStorageOptions>
{
    public ValidateOptionsResult Validate(string? name, SqliteStorageOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ConnectionString) && string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            return ValidateOptionsResult.Fail(
                $"SQLite storage '{name}': set {nameof(SqliteStorageOptions.DataDirectory)} or " +
                $"{nameof(SqliteStorageOptions.ConnectionString)}; both are empty, so there is no database file to use.");
        }

        if (options.BusyTimeout < TimeSpan.Zero || options.BusyTimeout.TotalMilliseconds > int.MaxValue)
        {
            return ValidateOptionsResult.Fail(
                $"SQLite storage '{name}': {nameof(SqliteStorageOptions.BusyTimeout)} = {options.BusyTimeout} " +
                "is out of range; it must be between zero and about 24 days.");
        }

        return ValidateOptionsResult.Success;
    }
}
