using System.Text.RegularExpressions;
using NodeDb.Orleans.Grains.Running;
using NodeDb.Orleans.Grains.Scheduling;
using NodeDb.Orleans.Grains.Sql.Text;

namespace NodeDb.Orleans.Grains.Schedules;

/// <summary>Checks a definition at CREATE/ALTER time, so nothing invalid is ever stored.</summary>
public static partial class ScheduleValidator
{
    /// <summary>
    /// The hard ceiling of <see cref="DefinitionLimits.MaxTimeout"/>: above about 49.7 days a .NET timer cannot even be
    /// armed, and a run that long outlives its ledger row. The runner clamps stored values to it.
    /// </summary>
    public static readonly TimeSpan TimeoutCeiling = TimeSpan.FromDays(7);
    /// <summary>Validates the definition for the grain <paramref name="key"/> and returns its parsed cron.</summary>
    /// <exception cref="NodeDbException">Naming the bad value and the reason.</exception>
    public static CronSchedule Validate(ScheduleDefinition definition, string key, ScheduleZone defaultZone, IJobRunner runner, DefinitionLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        limits ??= DefinitionLimits.Default;
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

        if (definition.Timeout is { } timeout && (timeout <= TimeSpan.Zero || timeout > limits.MaxTimeout))
        {
            throw Invalid($"TIMEOUT = {timeout} must be positive and at most {limits.MaxTimeout} (limit Scheduler:MaxTimeout).");
        }

        CheckLength("body", definition.Body, limits.MaxBodyLength, "Scheduler:MaxBodyLength");
        CheckLength("owner", definition.Owner, limits.MaxOwnerLength, "Scheduler:MaxOwnerLength");
        CheckLength("TARGET", definition.Target, limits.MaxTextOptionLength, "Scheduler:MaxTextOptionLength");
        CheckLength("TIME ZONE", definition.TimeZone, limits.MaxTextOptionLength, "Scheduler:MaxTextOptionLength");

        if (definition.Retries is { } retries && (retries < 0 || retries > limits.MaxRetries))
        {
            throw Invalid($"RETRIES = {definition.Retries} must be between 0 and {limits.MaxRetries} (limit Scheduler:MaxRetries).");
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

    /// <summary>Refuses a cron whose next 100 occurrences come closer than <paramref name="minimum"/> (<c>Scheduler:MinimumInterval</c>).</summary>
    public static void CheckInterval(CronSchedule cron, string expression, DateTimeOffset now, TimeSpan minimum)
    {
        ArgumentNullException.ThrowIfNull(cron);
        if (minimum <= TimeSpan.FromSeconds(1))
        {
            return;
        }

        var next = cron.Next(now, 100);
        for (var i = 1; i < next.Count; i++)
        {
            var gap = next[i] - next[i - 1];
            if (gap < minimum)
            {
                throw Invalid(
                    $"CRON '{expression}' fires {gap.TotalSeconds:0.###} s apart (at {next[i - 1]:O} and {next[i]:O}): occurrences must be at least {minimum} apart (limit Scheduler:MinimumInterval = {minimum}).");
            }
        }
    }

    /// <summary>Refuses a text longer than <paramref name="max"/>, naming the setting that bounds it.</summary>
    public static void CheckLength(string what, string? value, int max, string setting)
    {
        if (value is not null && value.Length > max)
        {
            throw Invalid($"The {what} is {value.Length} characters long: at most {max} are accepted (limit {setting} = {max}).");
        }
    }

    private static NodeDbException Invalid(string message) => new(ErrorCodes.InvalidDefinition, message);

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
