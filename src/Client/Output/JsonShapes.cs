using System.Text.Json.Nodes;
using NodeDb.Orleans.Security;

namespace NodeDb.Orleans.Client.Output;

/// <summary>
/// The documented, stable JSON of every <c>--json</c> output (docs/client.md). Built field by field rather than by
/// serializing contracts, so a contract change cannot silently change what scripts read.
/// </summary>
public static class JsonShapes
{
    /// <summary>One schedule, as <c>schedule list</c>, <c>schedule show</c> and <c>SHOW SCHEDULES</c> print it.</summary>
    public static JsonObject Schedule(ScheduleStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var d = status.Definition;
        return new JsonObject
        {
            ["name"] = d.Name,
            ["tenant"] = d.Tenant,
            ["cron"] = d.Cron,
            ["timeZone"] = d.TimeZone,
            ["enabled"] = d.Enabled,
            ["paused"] = status.Paused,
            ["nextRun"] = Spellings.Instant(status.NextRun),
            ["lastStatus"] = status.LastStatus?.ToString(),
            ["lastFired"] = Spellings.Instant(status.LastFired),
            ["lastFinishedAt"] = Spellings.Instant(status.LastFinishedAt),
            ["historyPending"] = status.HistoryPending,
            ["scope"] = Spellings.Of(d.Scope),
            ["overlap"] = Spellings.Of(d.Overlap),
            ["missed"] = Spellings.Of(d.Missed),
            ["queueCap"] = d.QueueCap,
            ["timeoutSeconds"] = d.Timeout?.TotalSeconds,
            ["retries"] = d.Retries,
            ["target"] = d.Target,
            ["owner"] = d.Owner,
            ["startAt"] = Spellings.Instant(d.StartAt),
            ["endAt"] = Spellings.Instant(d.EndAt),
            ["pause"] = status.Pause is { } p
                ? new JsonObject { ["by"] = p.By, ["at"] = Spellings.Instant(p.At), ["note"] = p.Note, ["resumeAt"] = Spellings.Instant(p.ResumeAt) }
                : null,
            ["inFlight"] = new JsonArray([.. status.InFlight.Select(InFlight)]),
            ["createdAt"] = Spellings.Instant(status.CreatedAt),
            ["updatedAt"] = Spellings.Instant(status.UpdatedAt),
            ["body"] = d.Body,
        };
    }

    /// <summary>One history row, as <c>schedule history</c> and <c>SHOW SCHEDULE HISTORY</c> print it.</summary>
    public static JsonObject Run(RunRecord run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return new JsonObject
        {
            ["runId"] = run.RunId,
            ["schedule"] = run.Schedule,
            ["status"] = run.Status.ToString(),
            ["trigger"] = run.Trigger.ToString(),
            ["scheduledAt"] = Spellings.Instant(run.ScheduledAt),
            ["coversFrom"] = Spellings.Instant(run.CoversFrom),
            ["count"] = run.Count,
            ["startedAt"] = Spellings.Instant(run.StartedAt),
            ["finishedAt"] = Spellings.Instant(run.FinishedAt),
            ["durationMs"] = run.Duration?.TotalMilliseconds,
            ["reason"] = run.Reason,
            ["error"] = run.Error,
            ["attempt"] = run.Attempt,
            ["silo"] = run.Silo,
            ["owner"] = run.Owner,
            ["recordedAt"] = Spellings.Instant(run.RecordedAt),
        };
    }

    /// <summary>A replication group's health, as <c>health report</c> and <c>health show</c> print it.</summary>
    public static JsonObject Health(GroupHealth health)
    {
        ArgumentNullException.ThrowIfNull(health);
        var report = health.Verdict.Report;
        return new JsonObject
        {
            ["group"] = health.Group,
            ["mayFire"] = health.Verdict.MayFire,
            ["reason"] = health.Verdict.Reason,
            ["leader"] = report?.LeaderId,
            ["commitIndex"] = report?.CommitIndex,
            ["lastApplied"] = report?.LastApplied,
            ["reportedAt"] = Spellings.Instant(report?.ReportedAt),
        };
    }

    /// <summary>One key, as <c>key list</c>, <c>key create</c> and <c>key revoke</c> print it (never its secret).</summary>
    public static JsonObject Key(ApiKeyInfo k)
    {
        ArgumentNullException.ThrowIfNull(k);
        return new JsonObject
        {
            ["id"] = k.Id,
            ["scope"] = k.Scope,
            ["principal"] = k.Principal,
            ["role"] = k.Role.ToString().ToLowerInvariant(),
            ["createdAt"] = Spellings.Instant(k.CreatedAt),
            ["createdBy"] = k.CreatedBy,
            ["expiresAt"] = Spellings.Instant(k.ExpiresAt),
            ["revokedAt"] = Spellings.Instant(k.RevokedAt),
            ["revokedBy"] = k.RevokedBy,
        };
    }

    /// <summary>One audit entry, as <c>audit</c> prints it.</summary>
    public static JsonObject Audit(AuditEntry e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new JsonObject
        {
            ["at"] = Spellings.Instant(e.At),
            ["principal"] = e.Principal,
            ["keyId"] = e.KeyId,
            ["action"] = e.Action,
            ["target"] = e.Target,
            ["client"] = e.ClientAddress,
            ["outcome"] = e.Outcome,
            ["detail"] = e.Detail,
        };
    }

    /// <summary>One silo and its load (<c>nodedb health silos --json</c>, <c>GET /api/v1/cluster</c>'s <c>silos</c>).</summary>
    public static JsonObject Silo(SiloLoad silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        return new JsonObject
        {
            ["address"] = silo.Address,
            ["name"] = silo.Name,
            ["status"] = silo.Status,
            ["schedulesHosted"] = silo.SchedulesHosted,
            ["running"] = silo.Running,
            ["slots"] = silo.Slots,
            ["queued"] = silo.Queued,
            ["held"] = silo.Held,
            ["error"] = silo.Error,
        };
    }

    /// <summary>The verdict of a DDL check (a dry run of <c>CREATE SCHEDULE</c>): nothing was created.</summary>
    public static JsonObject Check(DdlCheck check)
    {
        ArgumentNullException.ThrowIfNull(check);
        return new JsonObject
        {
            ["valid"] = check.Valid,
            ["code"] = check.Code,
            ["error"] = check.Error,
            ["line"] = check.Line,
            ["column"] = check.Column,
            ["name"] = check.Name,
            ["zone"] = check.Zone,
            ["next"] = new JsonArray([.. check.Next.Select(o => (JsonNode)JsonValue.Create(Spellings.Instant(o)))]),
            ["body"] = check.Body,
        };
    }

    /// <summary><c>cron next</c>: the occurrences as ISO 8601 strings with the zone's offset.</summary>
    public static JsonArray Occurrences(CronPreview preview)
    {
        ArgumentNullException.ThrowIfNull(preview);
        return new JsonArray([.. preview.Occurrences.Select(o => (JsonNode)JsonValue.Create(Spellings.Instant(o)))]);
    }

    /// <summary>
    /// What one statement of <c>sql</c> prints: rows as an array of objects; SHOW SCHEDULES and SHOW SCHEDULE HISTORY as
    /// the arrays of <see cref="Schedule"/> and <see cref="Run"/>; everything else as <c>{"tag": …}</c>.
    /// </summary>
    public static JsonNode Statement(SqlStatementResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        switch (result.Kind)
        {
            case SqlStatementKind.ShowSchedules:
                return new JsonArray([.. result.Schedules.Select(Schedule)]);
            case SqlStatementKind.ShowScheduleHistory:
                return new JsonArray([.. result.History.Select(Run)]);
            case SqlStatementKind.Query when result.Query is { Columns.Length: > 0 } query:
                return Rows(query);
            case SqlStatementKind.Query:
                return new JsonObject { ["tag"] = result.Tag, ["rowsAffected"] = result.Query?.RowsAffected ?? 0 };
            default:
                return new JsonObject { ["tag"] = result.Tag, ["schedule"] = result.Schedule, ["changed"] = result.Changed };
        }
    }

    /// <summary>A whole <c>sql</c> request: one statement prints as <see cref="Statement"/>, several as an array of those.</summary>
    public static JsonNode Script(IReadOnlyList<SqlStatementResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        return results.Count == 1 ? Statement(results[0]) : new JsonArray([.. results.Select(Statement)]);
    }

    /// <summary>Rows as objects keyed by column name; a repeated name gets a suffix (<c>id</c>, <c>id_2</c>) so no value is lost.</summary>
    public static JsonArray Rows(SqlResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var names = UniqueNames(result.Columns);
        var rows = new JsonArray();
        foreach (var row in result.Rows)
        {
            var obj = new JsonObject();
            for (var i = 0; i < names.Length; i++)
            {
                obj[names[i]] = Value(i < row.Length ? row[i] : null);
            }

            rows.Add(obj);
        }

        return rows;
    }

    /// <summary>A SQL value: numbers, strings and booleans as themselves, blobs as base64.</summary>
    public static JsonNode? Value(object? value) => value switch
    {
        null => null,
        long l => JsonValue.Create(l),
        int i => JsonValue.Create(i),
        double d when double.IsFinite(d) => JsonValue.Create(d),
        double d => JsonValue.Create(d.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        bool b => JsonValue.Create(b),
        byte[] bytes => JsonValue.Create(Convert.ToBase64String(bytes)),
        string s => JsonValue.Create(s),
        _ => JsonValue.Create(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)),
    };

    private static string[] UniqueNames(IReadOnlyList<string> columns)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var names = new string[columns.Count];
        for (var i = 0; i < columns.Count; i++)
        {
            var name = columns[i];
            for (var n = 2; !seen.Add(name); n++)
            {
                name = $"{columns[i]}_{n}";
            }

            names[i] = name;
        }

        return names;
    }

    private static JsonObject InFlight(InFlightRun run) => new()
    {
        ["runId"] = run.RunId,
        ["scheduledAt"] = Spellings.Instant(run.ScheduledAt),
        ["claimedAt"] = Spellings.Instant(run.ClaimedAt),
        ["trigger"] = run.Trigger.ToString(),
        ["silo"] = run.Silo,
        ["buffered"] = run.Buffered,
    };
}
