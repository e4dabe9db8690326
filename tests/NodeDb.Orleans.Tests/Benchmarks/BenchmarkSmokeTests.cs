using NodeDb.Orleans.Benchmarks;
using NodeDb.Orleans.Benchmarks.Measuring;
using NodeDb.Orleans.Benchmarks.Scenarios;

namespace NodeDb.Orleans.Tests.Benchmarks;

/// <summary>
/// The benchmark's wiring, in seconds: the real runner on SQLite and PostgreSQL, the no-op pass beside Quartz.NET and
/// S5's NodeDb.Orleans half start, run and are counted. The figures are not asserted; the summaries' arithmetic is.
/// </summary>
public sealed class BenchmarkSmokeTests
{
    [Fact]
    public async Task Punctuality_with_tiny_sizes_runs_the_real_workload_on_sqlite_and_postgres_then_the_scheduler_alone_beside_quartz()
    {
        var log = new StringWriter();

        var tables = await BenchmarkRun.RunAsync(BenchSettings.Tiny, ["s1"], log);

        Assert.Equal(2, tables.Count);
        var real = tables[0].Render();
        Assert.Contains("S1 real workload", real, StringComparison.Ordinal);
        // The real SqlJobRunner inserted rows on both engines: each load's Succeeded % is read from history rows.
        Assert.True(Cell(real, "| 1 tenant × 5, SQLite", 3) > 0, real);
        Assert.True(Cell(real, "| 2 tenants × 3, PostgreSQL", 3) > 0, real);
        Assert.Contains("ledger rows", real, StringComparison.Ordinal);

        var text = tables[1].Render();
        Assert.Contains("S1 punctuality: 5 schedules every second", text, StringComparison.Ordinal);
        // 5 schedules × 1 s: each system must have fired at least once, or the row would read 0.
        Assert.True(Cell(text, "| runs fired", 2) > 0, text);
        Assert.True(Cell(text, "| runs fired", 3) > 0, text);
        Assert.Contains("storage operations during the window", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pg_cron_comparison_in_tiny_mode_runs_the_nodedb_half_on_postgres_and_leaves_pg_cron_out()
    {
        var tables = await BenchmarkRun.RunAsync(BenchSettings.Tiny, ["s5"], new StringWriter());

        var text = Assert.Single(tables).Render();
        Assert.Contains("S5: 20 one-row INSERT jobs", text, StringComparison.Ordinal);
        Assert.True(Cell(text, "| jobs committed", 2) > 0, text);
        Assert.Contains("pg_cron half not run in this mode", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bulk_creation_in_tiny_mode_creates_every_schedule_by_each_path_and_lists_them_all()
    {
        var tables = await BenchmarkRun.RunAsync(BenchSettings.Tiny, ["s7"], new StringWriter());

        var text = Assert.Single(tables).Render();
        Assert.Contains("S7 bulk creation of durable schedules", text, StringComparison.Ordinal);
        Assert.True(Cell(text, "| 50 schedules, one CreateAsync per schedule", 2) > 0, text);
        Assert.True(Cell(text, "| 50 schedules, bulk API", 2) > 0, text);
        Assert.True(Cell(text, "| 50 schedules, DDL script", 2) > 0, text);
        Assert.Equal(3, text.Split("all 50 listed afterwards").Length - 1);
    }

    [Fact]
    public void History_summary_counts_the_window_by_occurrence_and_the_load_table_names_each_missed_target()
    {
        var t = new DateTimeOffset(2026, 1, 5, 12, 0, 0, TimeSpan.Zero);
        RunRecord Row(string schedule, int second, RunStatus status, double lateMs, int attempt = 1, string? runId = null) => new()
        {
            RunId = runId ?? $"{schedule}.{second}",
            Tenant = "t",
            Schedule = schedule,
            Status = status,
            ScheduledAt = t.AddSeconds(second),
            StartedAt = t.AddSeconds(second).AddMilliseconds(lateMs),
            FinishedAt = t.AddSeconds(second).AddMilliseconds(lateMs + 2),
            Attempt = attempt,
        };
        RunRecord[] rows =
        [
            Row("a", 0, RunStatus.Succeeded, 10),
            Row("a", 0, RunStatus.Succeeded, 30, runId: "a.0.again"), // one occurrence, two Succeeded rows
            Row("b", 0, RunStatus.Rejected, 0, attempt: 0),
            Row("a", 1, RunStatus.Succeeded, 300, attempt: 2),
            Row("b", 2, RunStatus.Succeeded, 1),                      // outside [t, t+2s)
        ];

        var summary = HistorySummary.Of(rows, t, t.AddSeconds(2), expected: 4);
        var once = ExactlyOnceCheck.Of([(Ledger: 3, Effects: 4, SucceededRows: 4), (Ledger: 2, Effects: 2, SucceededRows: 2)]);
        var table = new LoadTable("x");
        var missed = table.Add("load", summary, once, p99TargetMs: 50);

        Assert.Equal(2, summary.Succeeded);
        Assert.Equal(50, summary.SucceededPercent);
        Assert.Equal(1, summary.Rejected);
        Assert.Equal(1, summary.SecondAttempts);
        Assert.Equal(1, summary.Duplicates);
        Assert.Equal(1, summary.Missing); // b at second 1
        Assert.Equal(300, summary.Max);
        Assert.Equal(1, once.ExtraEffects);
        Assert.Equal(1, once.Mismatch);
        Assert.Equal(new[] { "Succeeded ≥ 99.9 %", "0 Rejected", "0 second attempts", "0 duplicates", "history = ledger", "p99 ≤ 50 ms" }, missed);
        Assert.Equal(6, table.Missed);
        Assert.Contains("MISSED: Succeeded", table.Render(), StringComparison.Ordinal);
    }

    [Fact]
    public void Lateness_summary_counts_distinct_occurrences_duplicates_and_early_starts_inside_the_window()
    {
        var t = new DateTimeOffset(2026, 1, 5, 12, 0, 0, TimeSpan.Zero);
        JobStart Start(string s, int second, double lateMs) => new(s, t.AddSeconds(second), t.AddSeconds(second).AddMilliseconds(lateMs));
        JobStart[] starts =
        [
            Start("a", 0, 5), Start("a", 0, 7), // a duplicate of one occurrence
            Start("b", 0, -1),                 // early
            Start("a", 1, 10),
            Start("a", 2, 1),                  // outside [t, t+2s)
        ];

        var summary = LatenessSummary.Of(starts, t, t.AddSeconds(2), expected: 4);

        Assert.Equal(3, summary.Fired);
        Assert.Equal(1, summary.Duplicates);
        Assert.Equal(1, summary.Early);
        Assert.Equal(10, summary.Max);
        Assert.Equal(75, summary.FiredPercent);
    }

    private static double Cell(string table, string rowStart, int column) =>
        double.Parse(
            table.Split('\n').Single(l => l.StartsWith(rowStart, StringComparison.Ordinal)).Split('|', StringSplitOptions.TrimEntries)[column],
            System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData(50, 2)]
    [InlineData(99, 4)]
    [InlineData(100, 4)]
    [InlineData(1, 1)]
    public void Percentiles_use_the_nearest_rank(double percentile, double expected)
    {
        Assert.Equal(expected, new Percentiles([4, 1, 3, 2]).At(percentile));
    }
}
