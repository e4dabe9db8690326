using System.Globalization;
using System.Text;
using NodeDb.Orleans.Benchmarks.Measuring;

namespace NodeDb.Orleans.Benchmarks;

/// <summary>
/// Headline rows of the real workload: one row per load, each checked against issue 15's targets
/// (≥ 99.9 % Succeeded, 0 Rejected, 0 second attempts, 0 duplicates, history = ledger, lateness p99 ≤ its bound).
/// </summary>
public sealed class LoadTable(string title) : IReportTable
{
    public const double SucceededTarget = 99.9;

    private static readonly string[] Header =
        ["load", "runs expected", "Succeeded %", "Rejected", "attempt > 1", "duplicates", "history ≠ ledger", "lateness p50 / p99 / max, ms", "last commit after T, ms", "targets"];

    private readonly List<string[]> _rows = [];
    private readonly List<string> _notes = [];

    public string Title { get; } = title;

    public IReadOnlyList<string> Notes => _notes;

    public int Missed { get; private set; }

    /// <summary>Adds a measured load and checks it.</summary>
    /// <param name="p99TargetMs">The lateness p99 bound of this load (50 ms at 100 runs/s, 250 ms at 1,000/s).</param>
    /// <param name="burst">Whether the window is one instant T, so the last commit after T means something.</param>
    /// <returns>The targets missed, empty when all were met.</returns>
    public IReadOnlyList<string> Add(string load, HistorySummary history, ExactlyOnceCheck once, double p99TargetMs, bool burst = false)
    {
        var missed = new List<string>();
        Check(missed, history.SucceededPercent >= SucceededTarget, $"Succeeded ≥ {SucceededTarget} %");
        Check(missed, history.Rejected == 0, "0 Rejected");
        Check(missed, history.SecondAttempts == 0, "0 second attempts");
        Check(missed, history.Duplicates == 0 && once.ExtraEffects == 0, "0 duplicates");
        Check(missed, once.Mismatch == 0, "history = ledger");
        Check(missed, history.P99 <= p99TargetMs, string.Create(CultureInfo.InvariantCulture, $"p99 ≤ {p99TargetMs:0} ms"));
        Missed += missed.Count;
        _rows.Add(
        [
            load,
            history.Expected.ToString(CultureInfo.InvariantCulture),
            history.SucceededPercent.ToString("0.00", CultureInfo.InvariantCulture),
            history.Rejected.ToString(CultureInfo.InvariantCulture),
            history.SecondAttempts.ToString(CultureInfo.InvariantCulture),
            (history.Duplicates + once.ExtraEffects).ToString(CultureInfo.InvariantCulture),
            once.Mismatch.ToString(CultureInfo.InvariantCulture),
            string.Create(CultureInfo.InvariantCulture, $"{history.P50:0.0} / {history.P99:0.0} / {history.Max:0.0}"),
            !burst || double.IsNaN(history.LastFinishedMs) ? "–" : history.LastFinishedMs.ToString("0", CultureInfo.InvariantCulture),
            missed.Count == 0 ? string.Create(CultureInfo.InvariantCulture, $"all met (p99 ≤ {p99TargetMs:0} ms)") : "MISSED: " + string.Join(", ", missed),
        ]);
        return missed;
    }

    /// <summary>A load that could not run here, with the reason (for example PostgreSQL not installed).</summary>
    public void Skip(string load, string reason) =>
        _rows.Add([load, "–", "–", "–", "–", "–", "–", "–", "–", "skipped: " + reason]);

    /// <summary>A load whose measurement broke off (for example the silo stopped answering); counts as a miss.</summary>
    public void Fail(string load, string reason)
    {
        Missed++;
        _rows.Add([load, "–", "–", "–", "–", "–", "–", "–", "–", "FAILED: " + reason]);
    }

    public void Note(string note) => _notes.Add(note);

    public string Render()
    {
        var widths = Header.Select((h, i) => Math.Max(h.Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[i].Length))).ToArray();
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"### {Title}");
        text.AppendLine();
        text.AppendLine(Line(Header, widths));
        text.AppendLine(Line([.. widths.Select(w => new string('-', w))], widths));
        foreach (var row in _rows)
        {
            text.AppendLine(Line(row, widths));
        }

        foreach (var note in _notes)
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"- {note}");
        }

        return text.ToString();
    }

    private static void Check(List<string> missed, bool met, string target)
    {
        if (!met)
        {
            missed.Add(target);
        }
    }

    private static string Line(string[] cells, int[] widths) =>
        "| " + string.Join(" | ", cells.Select((c, i) => c.PadRight(widths[i]))) + " |";
}
