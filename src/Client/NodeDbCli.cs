using System.CommandLine;
using System.CommandLine.Help;
using NodeDb.Orleans.Client.Commands;

namespace NodeDb.Orleans.Client;

/// <summary>The <c>nodedb</c> command line: builds the commands, reports usage errors, runs the chosen command.</summary>
public static class NodeDbCli
{
    public static RootCommand Build()
    {
        var root = new RootCommand("nodedb: the console client of NodeDb.Orleans, scheduled SQL jobs run exactly once per occurrence.")
        {
            SqlCommand.Create(),
            ScheduleCommand.Create(),
            CronCommand.Create(),
            HealthCommand.Create(),
            KeyCommand.Create(),
            AuditCommand.Create(),
        };
        foreach (var option in GlobalOptions.All)
        {
            root.Options.Add(option);
        }

        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var parse = Build().Parse(args);
        if (parse.Errors.Count > 0 && parse.Action is not HelpAction)
        {
            foreach (var error in parse.Errors)
            {
                Console.Error.WriteLine($"error: {Explain(parse, error)}");
            }

            Console.Error.WriteLine($"Run 'nodedb {string.Join(' ', Path(parse))} --help' for usage.".Replace("  ", " ", StringComparison.Ordinal));
            return ExitCodes.Usage;
        }

        return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = true });
    }

    /// <summary>System.CommandLine names the command, not the argument, when one is missing: name it.</summary>
    private static string Explain(ParseResult parse, System.CommandLine.Parsing.ParseError error)
    {
        if (!error.Message.StartsWith("Required argument missing", StringComparison.Ordinal))
        {
            return error.Message;
        }

        var missing = parse.CommandResult.Command.Arguments
            .Where(a => a.Arity.MinimumNumberOfValues > 0 && parse.GetResult(a) is not { Tokens.Count: > 0 })
            .Select(a => a.Name.ToUpperInvariant())
            .ToList();
        return missing.Count == 0
            ? error.Message
            : $"'nodedb {string.Join(' ', Path(parse))}' needs {string.Join(" and ", missing)}: nodedb {string.Join(' ', Path(parse))} {string.Join(' ', missing)}.";
    }

    private static IEnumerable<string> Path(ParseResult parse)
    {
        var names = new Stack<string>();
        for (var result = parse.CommandResult; result.Parent is System.CommandLine.Parsing.CommandResult parent; result = parent)
        {
            names.Push(result.Command.Name);
        }

        return names;
    }
}
