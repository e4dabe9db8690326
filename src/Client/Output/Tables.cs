using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace NodeDb.Orleans.Client.Output;

/// <summary>The human (non-JSON) renderings. Every cell is plain <see cref="Text"/>: names, SQL and errors are never markup.</summary>
public static class Tables
{
    public static Table Schedules(IEnumerable<ScheduleStatus> statuses)
    {
        var table = Table("name", "cron", "zone", "state", "next run", "last status", "owner");
        foreach (var s in statuses)
        {
            var d = s.Definition;
            Row(table, d.Name, d.Cron, d.TimeZone ?? "(default)", State(s), Spellings.Human(s.NextRun), s.LastStatus?.ToString() ?? "-", d.Owner);
        }

        return table;
    }

    public static IRenderable Schedule(ScheduleStatus s)
    {
        var d = s.Definition;
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        void Add(string key, string? value) => grid.AddRow(new Text(key, new Style(decoration: Decoration.Bold)), new Text(value ?? "-"));
        Add("name", d.Name);
        Add("tenant", d.Tenant);
        Add("cron", d.Cron);
        Add("time zone", d.TimeZone ?? "(silo default)");
        Add("state", State(s));
        if (s.Pause is { } p)
        {
            Add("paused by", p.By);
            Add("paused at", Spellings.Human(p.At));
            Add("pause note", p.Note);
        }

        Add("next run", Spellings.Human(s.NextRun));
        Add("last fired", Spellings.Human(s.LastFired));
        Add("last status", s.LastStatus?.ToString());
        Add("last finished", Spellings.Human(s.LastFinishedAt));
        if (s.HistoryPending)
        {
            Add("history", "rows waiting for history to answer (kept, appended within seconds of it)");
        }
        Add("scope", Spellings.Of(d.Scope));
        Add("overlap", Spellings.Of(d.Overlap));
        Add("missed", Spellings.Of(d.Missed));
        Add("timeout", d.Timeout is { } t ? Spellings.Human(t) : "(default)");
        Add("retries", d.Retries?.ToString(CultureInfo.InvariantCulture) ?? "(default)");
        Add("target", d.Target ?? "(from the body)");
        Add("owner", d.Owner);
        Add("window", d.StartAt is null && d.EndAt is null ? "-" : $"{Spellings.Human(d.StartAt)} .. {Spellings.Human(d.EndAt)}");
        Add("in flight", s.InFlight.IsDefaultOrEmpty ? "-" : string.Join(", ", s.InFlight.Select(r => $"{r.RunId} ({r.Trigger})")));
        Add("created", Spellings.Human(s.CreatedAt));
        Add("updated", Spellings.Human(s.UpdatedAt));
        Add("body", d.Body);
        return grid;
    }

    public static Table History(IEnumerable<RunRecord> runs)
    {
        var table = Table("scheduled", "status", "trigger", "started", "duration", "attempt", "reason / error", "run id");
        foreach (var r in runs)
        {
            Row(
                table,
                Spellings.Human(r.ScheduledAt),
                r.Count > 1 ? $"{r.Status} x{r.Count}" : r.Status.ToString(),
                r.Trigger.ToString(),
                Spellings.Human(r.StartedAt),
                Spellings.Human(r.Duration),
                r.Attempt.ToString(CultureInfo.InvariantCulture),
                r.Error ?? r.Reason ?? "",
                r.RunId);
        }

        return table;
    }

    public static Table Rows(SqlResult result)
    {
        var table = Table([.. result.Columns]);
        foreach (var row in result.Rows)
        {
            Row(table, [.. row.Select(Cell)]);
        }

        return table;
    }

    public static Table Health(IEnumerable<GroupHealth> groups)
    {
        var table = Table("group", "may fire", "leader", "commit", "applied", "reported", "reason");
        foreach (var g in groups)
        {
            var r = g.Verdict.Report;
            Row(
                table,
                g.Group,
                g.Verdict.MayFire ? "yes" : "no",
                r is null ? "-" : r.LeaderId ?? "(none)",
                r?.CommitIndex.ToString(CultureInfo.InvariantCulture) ?? "-",
                r?.LastApplied.ToString(CultureInfo.InvariantCulture) ?? "-",
                Spellings.Human(r?.ReportedAt),
                g.Verdict.Reason);
        }

        return table;
    }

    /// <summary>Each silo with the schedules it hosts, its slots in use, its queue and the runs it holds; "-" where it did not answer.</summary>
    public static Table Silos(IEnumerable<SiloLoad> silos)
    {
        var table = Table("silo", "name", "status", "schedules", "running", "slots", "queued", "held");
        foreach (var s in silos)
        {
            Row(table, s.Address, s.Name ?? "-", s.Status, N(s.SchedulesHosted), N(s.Running), N(s.Slots), N(s.Queued), N(s.Held));
        }

        return table;

        static string N(int? n) => n?.ToString(CultureInfo.InvariantCulture) ?? "-";
    }

    /// <summary>The occurrences with their UTC instant; a row whose offset differs from the one before is marked as a DST shift.</summary>
    public static Table Occurrences(CronPreview preview)
    {
        ArgumentNullException.ThrowIfNull(preview);
        var table = Table("#", $"local ({preview.Zone})", "UTC", "note");
        var shifts = DstShifts(preview);
        for (var i = 0; i < preview.Occurrences.Length; i++)
        {
            var o = preview.Occurrences[i];
            var before = i == 0 ? preview.From.Offset : preview.Occurrences[i - 1].Offset;
            var note = shifts.Contains(i) ? $"DST shift: offset {Offset(before)} -> {Offset(o.Offset)}" : "";
            Row(table, (i + 1).ToString(CultureInfo.InvariantCulture), Spellings.Human(o), Spellings.Human(o.ToUniversalTime()), note);
        }

        return table;
    }

    /// <summary>Cron-preview rows whose offset changed from the previous occurrence (or from the start instant), by index.</summary>
    public static IReadOnlyList<int> DstShifts(CronPreview preview)
    {
        ArgumentNullException.ThrowIfNull(preview);
        var shifts = new List<int>();
        var previous = preview.From.Offset;
        for (var i = 0; i < preview.Occurrences.Length; i++)
        {
            if (preview.Occurrences[i].Offset != previous)
            {
                shifts.Add(i);
            }

            previous = preview.Occurrences[i].Offset;
        }

        return shifts;
    }

    private static string Offset(TimeSpan offset) =>
        (offset < TimeSpan.Zero ? "-" : "+") + offset.Duration().ToString(@"hh\:mm", CultureInfo.InvariantCulture);

    private static string State(ScheduleStatus s) =>
        !s.Definition.Enabled ? "disabled" : s.Paused ? "paused" : "enabled";

    private static string Cell(object? value) => value switch
    {
        null => "NULL",
        byte[] bytes => "0x" + Convert.ToHexString(bytes),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    private static Table Table(params string[] headers)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var h in headers)
        {
            table.AddColumn(new TableColumn(new Text(h, new Style(decoration: Decoration.Bold))));
        }

        return table;
    }

    private static void Row(Table table, params string[] cells) =>
        table.AddRow(cells.Select(c => (IRenderable)new Text(c)).ToArray());
}
