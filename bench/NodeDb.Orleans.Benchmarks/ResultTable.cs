using System.Globalization;
using System.Text;

namespace NodeDb.Orleans.Benchmarks;

/// <summary>One scenario's comparison: a row per metric with both systems, their ratio and the target.</summary>
/// <param name="title">The table's heading.</param>
/// <param name="other">The system NodeDb.Orleans is compared with (the second column).</param>
public sealed class ResultTable(string title, string other = "Quartz.NET") : IReportTable
{
    private readonly List<string[]> _rows = [];
    private readonly List<string> _notes = [];

    public string Title { get; } = title;

    public IReadOnlyList<string> Notes => _notes;

    /// <summary>Rows whose target was checked and missed.</summary>
    public int Missed { get; private set; }

    /// <param name="metric">What is measured, with its unit.</param>
    /// <param name="nodeDb">NodeDb.Orleans's value (NaN when not applicable).</param>
    /// <param name="quartz">The other system's value (NaN when not applicable).</param>
    /// <param name="target">The target as text, or null.</param>
    /// <param name="met">Whether NodeDb.Orleans met the target, or null when there is none.</param>
    /// <param name="format">Number format of both values.</param>
    public void Add(string metric, double nodeDb, double quartz, string? target = null, bool? met = null, string format = "0.0")
    {
        var ratio = double.IsFinite(nodeDb) && double.IsFinite(quartz) && quartz != 0 ? (nodeDb / quartz).ToString("0.00", CultureInfo.InvariantCulture) + "×" : "–";
        if (met == false)
        {
            Missed++;
        }

        _rows.Add([metric, Format(nodeDb, format), Format(quartz, format), ratio, target ?? "", met switch { true => "met", false => "MISSED", null => "" }]);
    }

    public void Note(string note) => _notes.Add(note);

    public string Render()
    {
        string[] header = ["metric", "NodeDb.Orleans", other, "ratio", "target", ""];
        var widths = header.Select((h, i) => Math.Max(h.Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[i].Length))).ToArray();
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"### {Title}");
        text.AppendLine();
        if (_rows.Count == 0)
        {
            foreach (var note in _notes)
            {
                text.AppendLine(note);
            }

            return text.ToString();
        }

        text.AppendLine(Line(header, widths));
        text.AppendLine(Line(widths.Select(w => new string('-', w)).ToArray(), widths));
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

    private static string Line(string[] cells, int[] widths) =>
        "| " + string.Join(" | ", cells.Select((c, i) => c.PadRight(widths[i]))) + " |";

    private static string Format(double value, string format) =>
        double.IsNaN(value) ? "–" : value.ToString(format, CultureInfo.InvariantCulture);
}
