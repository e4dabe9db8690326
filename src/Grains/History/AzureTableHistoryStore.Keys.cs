using System.Globalization;
using System.Text;
using Azure.Data.Tables;

namespace NodeDb.Orleans.Grains.History;

public sealed partial class AzureTableHistoryStore
{
    private const string RowPrefix = "t|";
    private const string RowPrefixEnd = "t}";
    private const string PointerPrefix = "r|";

    // A missing instant sorts after every present one, as NULL does under SQL's DESC.
    private const string MissingInstant = "9999999999999999999";

    /// <summary>
    /// Makes a value safe inside a table key: <c>%</c>, <c>|</c> and the characters Azure Tables forbid in keys
    /// (<c>/ \ # ?</c> and control characters) become <c>%XX</c>, so <c>|</c> stays a separator no value contains.
    /// </summary>
    public static string Escape(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        StringBuilder? escaped = null;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c is '%' or '|' or '/' or '\\' or '#' or '?' || char.IsControl(c))
            {
                escaped ??= new StringBuilder(value, 0, i, value.Length + 8);
                escaped.Append('%').Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            }
            else
            {
                escaped?.Append(c);
            }
        }

        return escaped?.ToString() ?? value;
    }

    // The ServiceId comes first: two deployments sharing a storage account and table never share a partition.
    internal string PartitionOf(string tenant, string schedule) => $"{_service}|{Escape(tenant)}|{Escape(schedule)}";

    internal static string RowKeyOf(RunRecord run) =>
        string.Create(CultureInfo.InvariantCulture, $"{RowPrefix}{Inverted(run.RecordedAt)}|{Inverted(run.ScheduledAt)}|{Escape(run.RunId)}");

    private string TenantPrefix(string tenant) => $"{_service}|{Escape(tenant)}|";

    private string TenantPrefixEnd(string tenant) => $"{_service}|{Escape(tenant)}}}";

    private static string PointerKey(string? runId) => PointerPrefix + Escape(runId ?? "");

    private static string Inverted(DateTimeOffset? instant) =>
        instant is { } i ? (long.MaxValue - i.UtcTicks).ToString("D19", CultureInfo.InvariantCulture) : MissingInstant;

    private static TableEntity ToEntity(string tenant, string partition, string rowKey, RunRecord run) => new(partition, rowKey)
    {
        ["RunId"] = run.RunId,
        ["Tenant"] = tenant,
        ["Schedule"] = run.Schedule,
        ["Status"] = (int)run.Status,
        ["Trigger"] = (int)run.Trigger,
        ["ScheduledAt"] = run.ScheduledAt?.UtcTicks,
        ["CoversFrom"] = run.CoversFrom?.UtcTicks,
        ["Count"] = run.Count,
        ["StartedAt"] = run.StartedAt?.UtcTicks,
        ["FinishedAt"] = run.FinishedAt?.UtcTicks,
        ["Reason"] = Cut(run.Reason),
        ["Error"] = Cut(run.Error),
        ["Attempt"] = run.Attempt,
        ["Silo"] = run.Silo,
        ["Owner"] = run.Owner,
        ["RecordedAt"] = run.RecordedAt.UtcTicks,
    };

    private static RunRecord ToRecord(string tenant, TableEntity entity) => new()
    {
        RunId = entity.GetString("RunId"),
        Tenant = tenant,
        Schedule = entity.GetString("Schedule"),
        Status = (RunStatus)(entity.GetInt32("Status") ?? 0),
        Trigger = (RunTrigger)(entity.GetInt32("Trigger") ?? 0),
        ScheduledAt = Instant(entity, "ScheduledAt"),
        CoversFrom = Instant(entity, "CoversFrom"),
        Count = entity.GetInt32("Count") ?? 1,
        StartedAt = Instant(entity, "StartedAt"),
        FinishedAt = Instant(entity, "FinishedAt"),
        Reason = entity.GetString("Reason"),
        Error = entity.GetString("Error"),
        Attempt = entity.GetInt32("Attempt") ?? 0,
        Silo = entity.GetString("Silo"),
        Owner = entity.GetString("Owner") ?? "",
        RecordedAt = Instant(entity, "RecordedAt") ?? DateTimeOffset.MinValue,
    };

    private static DateTimeOffset? Instant(TableEntity entity, string name) =>
        entity.GetInt64(name) is { } ticks ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    private static string? Cut(string? text) => text is { Length: > MaxText } ? text[..MaxText] : text;
}
