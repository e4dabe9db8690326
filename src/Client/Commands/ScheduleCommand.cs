using System.CommandLine;
using System.Text.Json.Nodes;
using NodeDb.Orleans.Client.Output;
using static NodeDb.Orleans.Client.CommandRunner;

namespace NodeDb.Orleans.Client.Commands;

/// <summary><c>nodedb schedule list | show | history | pause | resume | trigger | backfill | delete</c>.</summary>
public static class ScheduleCommand
{
    public static Command Create() => new("schedule", "Inspect and operate the tenant's schedules (create them with nodedb sql \"CREATE SCHEDULE …\")")
    {
        List(), Show(), History(), Pause(), Resume(), Trigger(), Backfill(), Delete(),
    };

    private static Command List()
    {
        var command = new Command("list", "The tenant's schedules with their state and next run");
        command.SetAction(Action(Retry.Idempotent, async (c, _) =>
        {
            var names = await c.Client.GetGrain<ITenantSchedulesGrain>(c.Tenant).ListAsync();
            var statuses = (await Task.WhenAll(names.Select(n => c.Schedule(n).GetStatusAsync()))).OfType<ScheduleStatus>().ToList();
            c.Out.Answer(
                () => new JsonArray([.. statuses.Select(JsonShapes.Schedule)]),
                () =>
                {
                    c.Out.Write(Tables.Schedules(statuses));
                    c.Out.Line($"({statuses.Count} schedule{(statuses.Count == 1 ? "" : "s")} in tenant {c.Tenant})");
                });
        }));
        return command;
    }

    private static Command Show()
    {
        var name = CommandArguments.ScheduleName();
        var command = new Command("show", "One schedule in full: definition, pause (who, when, note), runs in flight") { name };
        command.SetAction(Action(Retry.Idempotent, async (c, _) =>
        {
            var status = await RequireAsync(c, c.Parse.GetValue(name)!);
            c.Out.Answer(() => JsonShapes.Schedule(status), () => c.Out.Write(Tables.Schedule(status)));
        }));
        return command;
    }

    private static Command History()
    {
        var name = CommandArguments.ScheduleName();
        var limit = CommandArguments.Int("--limit", "The most rows, newest first", 1, 10_000, 20);
        var status = new Option<RunStatus?>("--status")
        {
            Description = $"Only rows with this status: {string.Join(", ", Enum.GetNames<RunStatus>())}",
            HelpName = "STATUS",
            CustomParser = r =>
            {
                var text = r.Tokens.Single().Value;
                if (Enum.TryParse<RunStatus>(text, ignoreCase: true, out var s) && Enum.IsDefined(s) && !int.TryParse(text, out _))
                {
                    return s;
                }

                r.AddError($"--status '{text}' is invalid: expected one of {string.Join(", ", Enum.GetNames<RunStatus>())}.");
                return null;
            },
        };
        var command = new Command("history", "A schedule's runs, newest first, including occurrences that did not run and why") { name, limit, status };
        command.SetAction(Action(Retry.Idempotent, async (c, _) =>
        {
            var schedule = c.Parse.GetValue(name)!;
            await RequireAsync(c, schedule);
            var rows = await c.Client.GetGrain<IJobHistoryGrain>(c.Tenant).QueryAsync(new HistoryQuery
            {
                Schedule = schedule,
                Limit = c.Parse.GetValue(limit),
                Status = c.Parse.GetValue(status),
            });
            c.Out.Answer(
                () => new JsonArray([.. rows.Select(JsonShapes.Run)]),
                () =>
                {
                    c.Out.Write(Tables.History(rows));
                    c.Out.Line($"({rows.Length} run{(rows.Length == 1 ? "" : "s")})");
                });
        }));
        return command;
    }

    private static Command Pause()
    {
        var name = CommandArguments.ScheduleName();
        var note = new Option<string?>("--note") { Description = "Why; shown by schedule show", HelpName = "TEXT" };
        var until = CommandArguments.Instant("--until", "Resume by itself at this instant; an occurrence at that very instant fires", required: false);
        var command = new Command("pause", "Stop firing until resumed; occurrences due meanwhile are recorded as skipped (paused)") { name, note, until };
        command.SetAction(Action(Retry.Idempotent, async (c, _) =>
        {
            var status = await c.Schedule(await ExistingAsync(c, c.Parse.GetValue(name)!)).PauseAsync(c.User, c.Parse.GetValue(note), c.Parse.GetValue(until));
            c.Out.Answer(
                () => JsonShapes.Schedule(status),
                () => c.Out.Line($"Paused {status.Definition.Name} (by {status.Pause?.By} at {Spellings.Human(status.Pause?.At)}{(status.Pause?.Note is { } n ? ": " + n : "")}){(status.Pause?.ResumeAt is { } r ? $"; resumes by itself at {Spellings.Human(r)}" : "")}."));
        }));
        return command;
    }

    private static Command Resume()
    {
        var name = CommandArguments.ScheduleName();
        var command = new Command("resume", "Fire again from the current occurrence on (the paused ones are not caught up)") { name };
        command.SetAction(Action(Retry.Idempotent, async (c, _) =>
        {
            var status = await c.Schedule(await ExistingAsync(c, c.Parse.GetValue(name)!)).ResumeAsync();
            c.Out.Answer(
                () => JsonShapes.Schedule(status),
                () => c.Out.Line($"Resumed {status.Definition.Name}; next run {Spellings.Human(status.NextRun)}."));
        }));
        return command;
    }

    private static Command Trigger()
    {
        var name = CommandArguments.ScheduleName();
        var command = new Command("trigger", "Run the body now, outside the cron, recorded as a manual run") { name };
        command.SetAction(Action(Retry.NotDelivered, async (c, _) =>
        {
            var schedule = await ExistingAsync(c, c.Parse.GetValue(name)!);
            var runId = await c.Schedule(schedule).TriggerAsync(c.User);
            c.Out.Answer(
                () => new JsonObject { ["schedule"] = schedule, ["runId"] = runId },
                () => c.Out.Line($"Triggered {schedule}: run {runId} (see nodedb schedule history {schedule})."));
        }));
        return command;
    }

    private static Command Backfill()
    {
        var name = CommandArguments.ScheduleName();
        var from = CommandArguments.Instant("--from", "First instant of the range (inclusive)", required: true);
        var to = CommandArguments.Instant("--to", "Last instant of the range (inclusive, not in the future)", required: true);
        var command = new Command("backfill", "Run every occurrence of a past range, in order, under the overlap policy") { name, from, to };
        command.Validators.Add(r =>
        {
            // GetValue throws for an option whose own parse failed; that option has already reported its error.
            if (r.GetResult(from) is { Tokens.Count: 1 } fr && r.GetResult(to) is { Tokens.Count: 1 } tr
                && CommandArguments.TryInstant(fr.Tokens[0].Value) is { } f && CommandArguments.TryInstant(tr.Tokens[0].Value) is { } t && t < f)
            {
                r.AddError($"--to {Spellings.Instant(t)} is invalid: it lies before --from {Spellings.Instant(f)}.");
            }
        });
        command.SetAction(Action(Retry.NotDelivered, async (c, _) =>
        {
            var schedule = await ExistingAsync(c, c.Parse.GetValue(name)!);
            var queued = await c.Schedule(schedule).BackfillAsync(c.Parse.GetValue(from)!.Value, c.Parse.GetValue(to)!.Value, c.User);
            c.Out.Answer(
                () => new JsonObject { ["schedule"] = schedule, ["queued"] = queued },
                () => c.Out.Line($"Backfill of {schedule}: {queued} occurrence{(queued == 1 ? "" : "s")} queued."));
        }));
        return command;
    }

    private static Command Delete()
    {
        var name = CommandArguments.ScheduleName();
        var command = new Command("delete", "Drop the schedule, its reminder and its history (DROP SCHEDULE)") { name };
        // Not retried after a silo died holding the call: the drop may have happened, and a retry would report "does not exist".
        command.SetAction(Action(Retry.NotDelivered, async (c, _) =>
        {
            var schedule = c.Parse.GetValue(name)!;
            if (!await c.Schedule(schedule).DropAsync())
            {
                throw NotFound(c, schedule);
            }

            c.Out.Answer(() => new JsonObject { ["schedule"] = schedule, ["deleted"] = true }, () => c.Out.Line($"Deleted {schedule}."));
        }));
        return command;
    }

    private static async Task<ScheduleStatus> RequireAsync(CommandContext c, string name) =>
        await c.Schedule(name).GetStatusAsync() ?? throw NotFound(c, name);

    /// <summary>Checks the schedule exists first, so a typo gets "does not exist in tenant …" rather than the grain's key.</summary>
    private static async Task<string> ExistingAsync(CommandContext c, string name)
    {
        await RequireAsync(c, name);
        return name;
    }

    private static NodeDbException NotFound(CommandContext c, string name) =>
        new(ErrorCodes.NotFound, $"Schedule '{name}' does not exist in tenant '{c.Tenant}' (see nodedb schedule list --tenant {c.Tenant}).");
}
