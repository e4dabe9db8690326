using System.CommandLine;
using System.Text.Json.Nodes;
using NodeDb.Orleans.Client.Output;
using NodeDb.Orleans.Security;
using Spectre.Console;
using static NodeDb.Orleans.Client.CommandRunner;

namespace NodeDb.Orleans.Client.Commands;

/// <summary><c>nodedb audit [--limit N] [--cluster]</c>: the tenant's audit log, newest first. Needs an admin key.</summary>
public static class AuditCommand
{
    public static Command Create()
    {
        var limit = CommandArguments.Int("--limit", "The most entries, newest first", 1, 10_000, 50);
        var cluster = new Option<bool>("--cluster") { Description = "The cluster's log (refusals of internal calls, cluster keys, health reports); needs a cluster-scope admin key" };
        var command = new Command("audit", "Who did what, when, from which client, and what was refused: accepted changes and every refusal of the tenant") { limit, cluster };
        command.SetAction(Action(Retry.Idempotent, async (c, _) =>
        {
            var scope = c.Parse.GetValue(cluster) ? ApiKeyText.ClusterScope : c.Tenant;
            var entries = await c.Client.GetGrain<IAuditGrain>(scope).QueryAsync(c.Parse.GetValue(limit));
            c.Out.Answer(
                () => new JsonArray([.. entries.Select(JsonShapes.Audit)]),
                () =>
                {
                    var table = new Table().AddColumns("at", "who", "action", "target", "client", "outcome", "detail");
                    foreach (var e in entries)
                    {
                        table.AddRow(
                            new Text(Spellings.Human(e.At)), new Text(e.Principal ?? (e.KeyId is { } k ? $"({k})" : "(no key)")), new Text(e.Action),
                            new Text(e.Target), new Text(e.ClientAddress ?? ""), new Text(e.Outcome), new Text(e.Detail ?? ""));
                    }

                    c.Out.Write(table);
                    c.Out.Line($"({entries.Length} entr{(entries.Length == 1 ? "y" : "ies")})");
                });
        }));
        return command;
    }
}
