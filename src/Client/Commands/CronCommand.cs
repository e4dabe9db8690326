using System.CommandLine;
using NodeDb.Orleans.Client.Output;
using static NodeDb.Orleans.Client.CommandRunner;

namespace NodeDb.Orleans.Client.Commands;

/// <summary><c>nodedb cron next "EXPR" [--tz ZONE] [--from INSTANT] [--count N]</c>.</summary>
/// <remarks>
/// The silo computes the occurrences with the scheduler's own cron and zone code, so the preview is exactly what a
/// schedule would do (field count, macros, ±HH:MM offsets, DST rules, the silo's default zone).
/// </remarks>
public static class CronCommand
{
    public static Command Create()
    {
        var expression = new Argument<string>("expression")
        {
            Description = "A cron expression: 5 fields (minute precision), 6 with leading seconds, or a macro such as @hourly",
        };
        var zone = new Option<string?>("--tz")
        {
            Description = "An IANA time zone (Europe/Berlin) or a fixed offset (+05:30) [default: the silo's default zone]",
            HelpName = "ZONE",
        };
        var from = CommandArguments.Instant("--from", "Show occurrences after this instant [default: now]", required: false);
        var count = CommandArguments.Int("--count", "How many occurrences", 1, 1000, 10);
        var next = new Command("next", "The next occurrences of an expression, with the zone's offset; DST shifts are marked") { expression, zone, from, count };
        next.SetAction(Action(Retry.Idempotent, async (c, _) =>
        {
            var preview = await c.Session.PreviewCronAsync(
                c.Parse.GetValue(expression)!, c.Parse.GetValue(zone), c.Parse.GetValue(from), c.Parse.GetValue(count));
            c.Out.Answer(() => JsonShapes.Occurrences(preview), () => c.Out.Write(Tables.Occurrences(preview)));
        }));
        return new Command("cron", "Cron expression tools") { next };
    }
}
