using System.Text;
using NodeDb.Orleans.Client.Output;
using static NodeDb.Orleans.Client.Web.Ui.Html;

namespace NodeDb.Orleans.Client.Web.Ui;

/// <summary>The runs table of the schedule and Runs pages; <c>app.js</c> adds live rows with the same columns.</summary>
public static class RunTable
{
    public static readonly string[] Columns = ["run", "schedule", "status", "trigger", "scheduled", "lateness", "duration", "attempt", "silo", "reason", "error"];

    /// <param name="liveUrl">The Server-Sent Events address new rows come from.</param>
    public static string Render(IEnumerable<RunRecord> runs, string liveUrl)
    {
        var b = new StringBuilder();
        b.Append("<table class=\"runs\" id=\"runs\" data-live=\"").Append(E(liveUrl)).Append("\"><caption>Runs, newest first <span id=\"live\" class=\"live\" role=\"status\"></span></caption><thead><tr>");
        foreach (var c in Columns)
        {
            b.Append("<th scope=\"col\">").Append(c).Append("</th>");
        }

        b.Append("</tr></thead><tbody>");
        foreach (var r in runs)
        {
            b.Append("<tr class=\"status-").Append(E(r.Status.ToString().ToLowerInvariant())).Append("\">");
            foreach (var cell in Cells(r))
            {
                b.Append("<td>").Append(E(cell)).Append("</td>");
            }

            b.Append("</tr>");
        }

        return b.Append("</tbody></table>").ToString();
    }

    private static IEnumerable<string?> Cells(RunRecord r) =>
    [
        r.RunId, r.Schedule, r.Status.ToString(), r.Trigger.ToString(), Spellings.Human(r.ScheduledAt),
        r.StartedAt is { } s && r.ScheduledAt is { } at ? Spellings.Human(s - at) : "-",
        Spellings.Human(r.Duration), r.Attempt.ToString(System.Globalization.CultureInfo.InvariantCulture), r.Silo, r.Reason, r.Error,
    ];
}
