using System.CommandLine;
using System.Text.Json.Nodes;
using NodeDb.Orleans.Client.Output;
using static NodeDb.Orleans.Client.CommandRunner;

namespace NodeDb.Orleans.Client.Commands;

/// <summary>
/// <c>nodedb health report GROUP …</c> and <c>nodedb health show [GROUP]</c>: the replication-group health gate;
/// <c>nodedb health silos</c>: each silo's schedules, slots in use and queue.
/// </summary>
public static class HealthCommand
{
    public static Command Create() => new("health", "Replication-group health, which gates firing (lagging or leaderless groups do not fire)")
    {
        Report(), Show(), Silos(),
    };

    private static Command Silos()
    {
        var command = new Command("silos", "Each silo of the cluster: schedules hosted, runs running of its slots, queued and held runs");
        command.SetAction(Action(Retry.Idempotent, async (c, _) =>
        {
            var silos = await c.Session.GetSilosAsync();
            c.Out.Answer(() => new JsonArray([.. silos.Select(JsonShapes.Silo)]), () => c.Out.Write(Tables.Silos(silos)));
        }));
        return command;
    }

    private static Command Report()
    {
        var group = new Argument<string>("group") { Description = "The replication group id (0 unless the silo's routing names others)" };
        var leader = new Option<string?>("--leader") { Description = "The current leader's id; leave out when the group has no leader", HelpName = "ID" };
        var commit = CommandArguments.Index("--commit", "The group's commit index");
        var applied = CommandArguments.Index("--applied", "The group's last applied index");
        var command = new Command("report", "Report a group's Raft status, as the database would; prints the resulting verdict") { group, leader, commit, applied };
        command.SetAction(Action(Retry.Idempotent, async (c, _) =>
        {
            var id = c.Parse.GetValue(group)!;
            await c.Client.GetGrain<IRaftHealthGrain>(id).ReportAsync(new RaftStatusReport
            {
                LeaderId = c.Parse.GetValue(leader),
                CommitIndex = c.Parse.GetValue(commit),
                LastApplied = c.Parse.GetValue(applied),
            });
            var health = await c.Session.GetHealthAsync(id);
            c.Out.Answer(() => JsonShapes.Health(health[0]), () => c.Out.Write(Tables.Health(health)));
        }));
        return command;
    }

    private static Command Show()
    {
        var group = new Argument<string?>("group")
        {
            Description = "One group; leave out for every group the silo's routing names",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var command = new Command("show", "The last report and verdict of one group or of all") { group };
        command.SetAction(Action(Retry.Idempotent, async (c, _) =>
        {
            var health = await c.Session.GetHealthAsync(c.Parse.GetValue(group));
            c.Out.Answer(() => new JsonArray([.. health.Select(JsonShapes.Health)]), () => c.Out.Write(Tables.Health(health)));
        }));
        return command;
    }
}
