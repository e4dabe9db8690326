using System.Globalization;
using NodeDb.Orleans.Client.Web.Api;

namespace NodeDb.Orleans.Client.Web.Ui;

/// <summary>Reading form and query values, with the console client's messages for bad ones.</summary>
public static class Forms
{
    /// <summary>An ISO 8601 instant; a value without an offset is read as UTC.</summary>
    public static DateTimeOffset? Instant(string? text, string field)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return DateTimeOffset.TryParse(text.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at
            : throw new UsageException($"{field} '{text}' is invalid: expected an ISO 8601 instant such as 2026-03-29T01:00:00Z.");
    }

    /// <summary>A SQL string literal of the DDL: quotes doubled, so the value cannot end the literal.</summary>
    public static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>A quoted schedule name for the DDL; a name holding a double quote cannot be one.</summary>
    public static string Name(string? name)
    {
        var n = name?.Trim();
        if (string.IsNullOrEmpty(n) || n.Contains('"', StringComparison.Ordinal))
        {
            throw new UsageException($"name '{name}' is invalid: give a schedule name without double quotes.");
        }

        return "\"" + n + "\"";
    }

    /// <summary>The CREATE SCHEDULE statement the create form stands for; the silo's parser checks every part of it.</summary>
    public static string CreateStatement(string? name, string? cron, string? zone, string? options, string? body)
    {
        var ddl = $"CREATE SCHEDULE {Name(name)} CRON {Literal(cron?.Trim() ?? "")}";
        if (!string.IsNullOrWhiteSpace(zone))
        {
            ddl += $" TIMEZONE {Literal(zone.Trim())}";
        }

        if (!string.IsNullOrWhiteSpace(options))
        {
            ddl += $" WITH ({options.Trim()})";
        }

        return ddl + " AS " + (body?.Trim() ?? "");
    }

    public static TenantOperations Ops(HttpContext h) => TenantOperations.Of(h);
}
