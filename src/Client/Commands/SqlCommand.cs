using System.CommandLine;
using NodeDb.Orleans.Client.Output;

namespace NodeDb.Orleans.Client.Commands;

/// <summary><c>nodedb sql "&lt;statement&gt;"</c> and <c>nodedb sql -f FILE</c>: schedule DDL and tenant SQL.</summary>
public static class SqlCommand
{
    public static Command Create()
    {
        var statement = new Argument<string?>("statement")
        {
            Description = "One statement or several separated by ';': CREATE/ALTER/DROP SCHEDULE, SHOW SCHEDULES, SHOW SCHEDULE HISTORY name, or any SQL for the tenant's database",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var file = new Option<string?>("--file", "-f")
        {
            Description = "Run the statements of a script file ('-' reads standard input)",
            HelpName = "FILE",
        };
        var command = new Command("sql", "Run schedule DDL or SQL against the tenant's database") { statement, file };
        command.Validators.Add(r =>
        {
            var hasStatement = r.GetValue(statement) is not null;
            var path = r.GetValue(file);
            if (hasStatement == (path is not null))
            {
                r.AddError("sql needs a statement or -f FILE (exactly one of them), for example: nodedb sql \"SHOW SCHEDULES\".");
            }
            else if (path is not null && path != "-" && !File.Exists(path))
            {
                r.AddError($"-f '{path}' is invalid: no such file.");
            }
        });

        command.SetAction(CommandRunner.Action(CommandRunner.Retry.NotDelivered, async (c, ct) =>
        {
            var script = c.Parse.GetValue(statement) ?? await ReadScriptAsync(c.Parse.GetValue(file)!, ct);
            var results = await c.Session.ExecuteAsync(script, c.User);
            c.Out.Answer(() => JsonShapes.Script(results), () => Print(c.Out, results));
        }));
        return command;
    }

    private static async Task<string> ReadScriptAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return path == "-" ? await Console.In.ReadToEndAsync(cancellationToken) : await File.ReadAllTextAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"-f '{path}' cannot be read: {e.Message}");
        }
    }

    private static void Print(Printer printer, IReadOnlyList<SqlStatementResult> results)
    {
        foreach (var r in results)
        {
            switch (r.Kind)
            {
                case SqlStatementKind.ShowSchedules:
                    printer.Write(Tables.Schedules(r.Schedules));
                    printer.Line($"({r.Schedules.Length} schedule{(r.Schedules.Length == 1 ? "" : "s")})");
                    break;
                case SqlStatementKind.ShowScheduleHistory:
                    printer.Write(Tables.History(r.History));
                    printer.Line($"({r.History.Length} run{(r.History.Length == 1 ? "" : "s")})");
                    break;
                case SqlStatementKind.Query when r.Query is { Columns.Length: > 0 } query:
                    printer.Write(Tables.Rows(query));
                    printer.Line(query.Truncated
                        ? $"({query.Rows.Length} row{(query.Rows.Length == 1 ? "" : "s")}, truncated: the server's limit {query.TruncatedBy} cut the result)"
                        : $"({query.Rows.Length} row{(query.Rows.Length == 1 ? "" : "s")})");
                    break;
                case SqlStatementKind.Query:
                    printer.Line(r.Tag);
                    break;
                default:
                    printer.Line(Describe(r));
                    break;
            }
        }
    }

    private static string Describe(SqlStatementResult r)
    {
        var line = $"{r.Tag} {r.Schedule}";
        if (!r.Changed)
        {
            return line + (r.Kind == SqlStatementKind.DropSchedule ? " (did not exist)" : " (already exists, unchanged)");
        }

        return r.Schedules.FirstOrDefault() is { } s
            ? $"{line} (next run {Spellings.Human(s.NextRun)})"
            : line;
    }
}
