using System.Text.RegularExpressions;
using NodeDb.Orleans.Grains.Running;
using NodeDb.Orleans.Grains.Scheduling;
using NodeDb.Orleans.Grains.Sql.Text;

namespace NodeDb.Orleans.Grains.Schedules;

/// <summary>Checks a definition at CREATE/ALTER time, so nothing invalid is ever stored.</summary>
public static partial class ScheduleValidator
{
    /// <summary>The most RETRIES a schedule may ask for.</summary>
    public const int MaxRetries = 10;

    /// <summary>The longest body, in characters: every change of a schedule's state rewrites the whole definition, body included.</summary>
    public const int MaxBodyLength = 64 * 1024;

    /// <summary>The longest owner (the user a run acts for), in characters.</summary>
    public const int MaxOwnerLength = 128;

    /// <summary>The longest TARGET and TIME ZONE texts, in characters.</summary>
    public const int MaxTextOptionLength = 256;

    /// <summary>The longest TIMEOUT: above about 49.7 days a .NET timer cannot even be armed, and a run that long outlives its ledger row.</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromDays(1);

    /// <summary>Validates the definition for the grain <paramref name="key"/> and returns its parsed cron.</summary>
    /// <exception cref="NodeDbException">Naming the bad value and the reason.</exception>
    public static CronSchedule Validate(ScheduleDefinition definition, string key, ScheduleZone defaultZone, IJobRunner runner)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(runner);
        CheckName("tenant", definition.Tenant);
        CheckName("schedule name", definition.Name);
        if (!string.Equals(definition.Key, key, StringComparison.Ordinal))
        {
            throw Invalid($"Schedule '{definition.Key}' was sent to the grain of '{key}'.");
        }

        var cron = CronSchedule.Parse(definition.Cron, definition.TimeZone, defaultZone);
        if (definition.QueueCap is < 1 or > 10_000)
        {
            throw Invalid($"QUEUE_CAP = {definition.QueueCap} must be between 1 and 10000.");
        }

        if (definition.Timeout is { } timeout && (timeout <= TimeSpan.Zero || timeout > MaxTimeout))
        {
            throw Invalid($"TIMEOUT = {timeout} must be positive and at most {MaxTimeout} (limit MaxTimeout).");
        }

        CheckLength("body", definition.Body, MaxBodyLength);
        CheckLength("owner", definition.Owner, MaxOwnerLength);
        CheckLength("TARGET", definition.Target, MaxTextOptionLength);
        CheckLength("TIME ZONE", definition.TimeZone, MaxTextOptionLength);

        if (definition.Retries is < 0 or > MaxRetries)
        {
            throw Invalid($"RETRIES = {definition.Retries} must be between 0 and {MaxRetries}.");
        }

        if (definition.StartAt is { } start && definition.EndAt is { } end && end < start)
        {
            throw Invalid($"END = {end:O} lies before START = {start:O}.");
        }

        if (string.IsNullOrWhiteSpace(definition.Owner))
        {
            throw Invalid("The owner must not be empty: every run acts for a user.");
        }

        if (definition.Target is { Length: 0 })
        {
            throw Invalid("TARGET must name a collection when given.");
        }

        var body = SqlBody.Parse(definition.Body);
        if (BodyGuard.Check(body) is { } rejection)
        {
            throw new NodeDbException(ErrorCodes.BodyRejected, rejection);
        }

        runner.ValidateBody(definition.Tenant, definition.Body);
        return cron;
    }

    private static void CheckName(string what, string value)
    {
        if (string.IsNullOrEmpty(value) || !NamePattern().IsMatch(value))
        {
            throw Invalid(
                $"The {what} '{value}' is invalid: use 1 to 63 lower-case letters, digits, '_' or '-', starting with a letter or digit.");
        }
    }

    private static void CheckLength(string what, string? value, int max)
    {
        if (value is not null && value.Length > max)
        {
            throw Invalid($"The {what} is {value.Length} characters long: at most {max} are accepted (limit {max}).");
        }
    }

    private static NodeDbException Invalid(string message) => new(ErrorCodes.InvalidDefinition, message);

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
