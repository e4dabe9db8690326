using Microsoft.Data.Sqlite;

namespace NodeDb.Orleans.Tests.Failover;

/// <summary>
/// Checks one every-second schedule's occurrences against history and the tenant database: each occurrence in a
/// range has exactly one history row (a run, or why it did not run), every Succeeded row has exactly one effect
/// row in the tenant's <c>effects</c> table, and no effect exists twice or without a row.
/// </summary>
public sealed record OccurrenceAccounting(
    string Schedule, int Occurrences, int Ran, int CoveredByCatchUp, int Missed, int Skipped, int Interrupted, int Other, IReadOnlyList<string> Problems)
{
    /// <summary>The statuses (and a reason) of the occurrences counted as <see cref="Other"/>.</summary>
    public List<string> OtherDetail { get; } = [];

    /// <summary>
    /// Occurrences claimed ahead (Scheduler:ArmAhead) and cancelled before their instant by the disable that ends
    /// every check: they fall after the schedule stopped, so they are not counted in <see cref="Occurrences"/>.
    /// Only the trailing ones with the final disable's reason count so; a withdrawal anywhere else (a pause, a cron
    /// change, a disable in the middle) is an occurrence that did not run, counted in <see cref="Other"/>.
    /// </summary>
    public int Withdrawn { get; init; }

    /// <summary>
    /// The body every accounted schedule runs: it copies its own run id from the ledger row the runner inserted just
    /// before, in the same transaction (SQLite's <c>last_insert_rowid()</c>), so a second effect of a run is visible.
    /// </summary>
    public const string EffectBody = """
        BEGIN
          CREATE TABLE IF NOT EXISTS effects (run_id TEXT NOT NULL, at TEXT NOT NULL);
          INSERT INTO effects (run_id, at) SELECT run_id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM nodedb_run_ledger WHERE rowid = last_insert_rowid();
        END
        """;

    /// <summary>The reason of an armed occurrence cancelled by disabling its schedule (ScheduleGrain.UpdateAsync).</summary>
    public const string FinalDisableReason = "disabled before its instant";

    private static readonly TimeSpan Unit = TimeSpan.FromSeconds(1);

    public static OccurrenceAccounting Check(
        string schedule, IReadOnlyList<RunRecord> history, IReadOnlyDictionary<string, int> effects, DateTimeOffset last)
    {
        var problems = new List<string>();
        var byOccurrence = new Dictionary<DateTimeOffset, List<RunRecord>>();
        var cronRows = history.Where(r => r.Trigger is RunTrigger.Cron or RunTrigger.Queue or RunTrigger.CatchUp && r.ScheduledAt is not null).ToList();
        foreach (var row in cronRows)
        {
            for (var t = row.CoversFrom ?? row.ScheduledAt!.Value; t <= row.ScheduledAt!.Value; t += Unit)
            {
                (byOccurrence.TryGetValue(t, out var list) ? list : byOccurrence[t] = []).Add(row);
            }
        }

        if (byOccurrence.Count == 0)
        {
            return new OccurrenceAccounting(schedule, 0, 0, 0, 0, 0, 0, 0, [$"{schedule}: no history at all"]);
        }

        // The final disable's withdrawals: the unbroken run of them at the end of the range, nothing earlier.
        var withdrawnFrom = last + Unit;
        while (byOccurrence.TryGetValue(withdrawnFrom - Unit, out var tail)
               && tail is [{ Status: RunStatus.Cancelled, Reason: FinalDisableReason }])
        {
            withdrawnFrom -= Unit;
        }

        var otherDetail = new List<string>();
        int ran = 0, caughtUp = 0, missed = 0, skipped = 0, interrupted = 0, other = 0, occurrences = 0, withdrawn = 0;
        for (var t = byOccurrence.Keys.Min(); t <= last; t += Unit)
        {
            occurrences++;
            if (!byOccurrence.TryGetValue(t, out var rows))
            {
                problems.Add($"{schedule} {t:HH:mm:ss}: no history row (unaccounted)");
                continue;
            }

            if (rows.Count > 1)
            {
                problems.Add($"{schedule} {t:HH:mm:ss}: {rows.Count} rows: {string.Join(", ", rows.Select(r => $"{r.RunId} {r.Status}"))}");
            }

            var row = rows[0];
            if (t >= withdrawnFrom)
            {
                occurrences--;
                withdrawn++;
                continue;
            }

            switch (row.Status)
            {
                case RunStatus.Succeeded when row.Count > 1:
                    caughtUp++;
                    break;
                case RunStatus.Succeeded:
                    ran++;
                    break;
                case RunStatus.Missed:
                    missed++;
                    break;
                case RunStatus.Skipped:
                    skipped++;
                    break;
                case RunStatus.Interrupted:
                    interrupted++;
                    break;
                default:
                    other++;
                    otherDetail.Add($"{row.Status}: {row.Reason ?? row.Error}");
                    break;
            }

            if (row.Status != RunStatus.Succeeded && string.IsNullOrEmpty(row.Reason) && string.IsNullOrEmpty(row.Error))
            {
                problems.Add($"{schedule} {t:HH:mm:ss}: {row.Status} without a reason");
            }
        }

        var rowsById = history.ToDictionary(r => r.RunId, StringComparer.Ordinal);
        foreach (var (runId, count) in effects)
        {
            if (count > 1)
            {
                problems.Add($"{schedule}: run {runId} took effect {count} times");
            }

            if (!rowsById.TryGetValue(runId, out var row))
            {
                problems.Add($"{schedule}: run {runId} took effect but has no history row");
            }
            else if (row.Status != RunStatus.Succeeded)
            {
                problems.Add($"{schedule}: run {runId} took effect but history says {row.Status} ({row.Reason})");
            }
        }

        foreach (var row in cronRows.Where(r => r.Status == RunStatus.Succeeded && !effects.ContainsKey(r.RunId)))
        {
            problems.Add($"{schedule}: history says {row.RunId} succeeded but the tenant database has no effect of it");
        }

        var result = new OccurrenceAccounting(schedule, occurrences, ran, caughtUp, missed, skipped, interrupted, other, problems) { Withdrawn = withdrawn };
        result.OtherDetail.AddRange(otherDetail);
        return result;
    }

    /// <summary>Effect rows per run id of one schedule in a SQLite tenant database.</summary>
    public static Dictionary<string, int> ReadEffects(string tenantDatabase, string schedule)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = tenantDatabase, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT run_id, count(*) FROM effects WHERE run_id LIKE $prefix GROUP BY run_id";
        command.Parameters.AddWithValue("$prefix", schedule + ".g%");
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            counts[reader.GetString(0)] = reader.GetInt32(1);
        }

        return counts;
    }

    /// <summary>Run ids of one schedule in the tenant's run ledger.</summary>
    public static HashSet<string> ReadLedger(string tenantDatabase, string schedule)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = tenantDatabase, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT run_id FROM nodedb_run_ledger WHERE schedule = $schedule";
        command.Parameters.AddWithValue("$schedule", schedule);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    public override string ToString() =>
        $"{Schedule}: {Occurrences} occurrences = {Ran} ran + {CoveredByCatchUp} covered by catch-up + {Missed} missed + {Skipped} skipped + {Interrupted} interrupted + {Other} other; {Withdrawn} armed and withdrawn by the final disable; {Problems.Count} problems";
}
