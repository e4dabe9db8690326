using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using NodeDb.Orleans.Client.Output;
using NodeDb.Orleans.Security;
using Spectre.Console;
using static NodeDb.Orleans.Client.CommandRunner;

namespace NodeDb.Orleans.Client.Commands;

/// <summary><c>nodedb key create | list | revoke</c>: API keys of the tenant, or of the cluster with <c>--cluster</c>. Needs an admin key.</summary>
public static class KeyCommand
{
    public static Command Create() => new("key", "API keys: create (the secret is shown once), list, revoke. Needs an admin key of the tenant or the cluster")
    {
        New(), List(), Revoke(), Generate(),
    };

    /// <summary>Prints a new cluster-scope key without contacting a cluster: the bootstrap key of a new azure deployment.</summary>
    private static Command Generate()
    {
        var command = new Command("generate", "Print a new cluster-admin key for Security:BootstrapKey of a new cluster (offline: nothing is sent)");
        command.SetAction(_ =>
        {
            var id = "k" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6));
            var secret = System.Buffers.Text.Base64Url.EncodeToString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
            Console.Out.WriteLine(ApiKeyText.Format(ApiKeyText.ClusterScope, id, secret));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Option<bool> ClusterOption() => new("--cluster")
    {
        Description = "The cluster-scope keys (operators of the whole service) instead of the tenant's; needs a cluster-scope admin key",
    };

    private static Command New()
    {
        var principal = new Argument<string>("principal") { Description = "Who the key stands for (1 to 64 letters, digits, '.', '_', '-', '@'); the owner of what it creates" };
        var role = new Option<ApiKeyRole>("--role")
        {
            Description = "reader (list, show, history, cron), operator (+ pause, resume, trigger, backfill) or admin (+ DDL, SQL, keys, audit)",
            HelpName = "ROLE",
            Required = true,
            CustomParser = r =>
            {
                var text = r.Tokens.Single().Value;
                if (Enum.TryParse<ApiKeyRole>(text, ignoreCase: true, out var value) && Enum.IsDefined(value) && !int.TryParse(text, out _))
                {
                    return value;
                }

                r.AddError($"--role '{text}' is invalid: expected reader, operator or admin.");
                return ApiKeyRole.Reader;
            },
        };
        var expires = new Option<string?>("--expires")
        {
            Description = "When the key stops working: a duration from now (90d, 12h, 30m) or an ISO 8601 instant [default: never]",
            HelpName = "WHEN",
        };
        var cluster = ClusterOption();
        var command = new Command("create", "Create a key; its secret is printed once and stored only as a hash") { principal, role, expires, cluster };
        command.SetAction(Action(Retry.NotDelivered, async (c, _) =>
        {
            DateTimeOffset? expiry = c.Parse.GetValue(expires) is { } text ? ParseExpiry(text) : null;
            var created = await Keys(c, cluster).CreateAsync(c.Parse.GetValue(principal)!, c.Parse.GetValue(role), expiry);
            c.Out.Answer(
                () => { var json = Json(created.Info); json["key"] = created.Key; return json; },
                () =>
                {
                    c.Out.Line(created.Key);
                    Console.Error.WriteLine(
                        $"Key {created.Info.Id} for {created.Info.Principal} ({Role(created.Info.Role)} of {Scope(created.Info.Scope)}) created. " +
                        "This is the only time the secret is shown: give it to its holder now (NODEDB_KEY or a 0600 key file).");
                });
        }));
        return command;
    }

    private static Command List()
    {
        var cluster = ClusterOption();
        var command = new Command("list", "The keys of the tenant (or the cluster): id, principal, role, created, expiry, revocation; never secrets") { cluster };
        command.SetAction(Action(Retry.Idempotent, async (c, _) =>
        {
            var keys = await Keys(c, cluster).ListAsync();
            c.Out.Answer(
                () => new JsonArray([.. keys.Select(Json)]),
                () =>
                {
                    var table = new Table().AddColumns("id", "principal", "role", "created", "by", "expires", "revoked");
                    foreach (var k in keys)
                    {
                        table.AddRow(
                            Cell(k.Id), Cell(k.Principal), Cell(Role(k.Role)), Cell(Spellings.Human(k.CreatedAt)), Cell(k.CreatedBy),
                            Cell(k.ExpiresAt is { } e ? Spellings.Human(e) : "never"),
                            Cell(k.RevokedAt is { } r ? $"{Spellings.Human(r)} by {k.RevokedBy}" : ""));
                    }

                    c.Out.Write(table);
                    c.Out.Line($"({keys.Length} key{(keys.Length == 1 ? "" : "s")} of {Scope(c.Parse.GetValue(cluster) ? ApiKeyText.ClusterScope : c.Tenant)})");
                });
        }));
        return command;
    }

    private static Command Revoke()
    {
        var id = new Argument<string>("id") { Description = "The key's id, as key list shows it (k…)" };
        var cluster = ClusterOption();
        var command = new Command("revoke", "Revoke a key: refused on this silo at once, on every silo within seconds") { id, cluster };
        command.SetAction(Action(Retry.Idempotent, async (c, _) =>
        {
            var revoked = await Keys(c, cluster).RevokeAsync(c.Parse.GetValue(id)!);
            c.Out.Answer(() => Json(revoked), () => c.Out.Line($"Revoked key {revoked.Id} of {revoked.Principal} ({Spellings.Human(revoked.RevokedAt)})."));
        }));
        return command;
    }

    private static IApiKeysGrain Keys(CommandContext c, Option<bool> cluster) =>
        c.Client.GetGrain<IApiKeysGrain>(c.Parse.GetValue(cluster) ? ApiKeyText.ClusterScope : c.Tenant);

    private static DateTimeOffset ParseExpiry(string text)
    {
        var t = text.Trim();
        if (t.Length > 1 && long.TryParse(t[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 && n < 100_000)
        {
            TimeSpan? span = char.ToLowerInvariant(t[^1]) switch
            {
                'd' => TimeSpan.FromDays(n),
                'h' => TimeSpan.FromHours(n),
                'm' => TimeSpan.FromMinutes(n),
                _ => null,
            };
            if (span is { } s)
            {
                return DateTimeOffset.UtcNow + s;
            }
        }

        return CommandArguments.TryInstant(t)
            ?? throw new UsageException($"--expires '{text}' is invalid: expected a duration such as 90d, 12h or 30m, or an ISO 8601 instant.");
    }

    private static JsonObject Json(ApiKeyInfo k) => JsonShapes.Key(k);

    private static string Role(ApiKeyRole role) => role.ToString().ToLowerInvariant();

    private static string Scope(string scope) => scope == ApiKeyText.ClusterScope ? "the cluster" : $"tenant {scope}";

    private static Text Cell(string? text) => new(text ?? "");
}
