using System.Collections.Immutable;
using System.Text.RegularExpressions;
using NodeDb.Orleans.Client.Web.Hosting;
using NodeDb.Orleans.Security;

namespace NodeDb.Orleans.Client.Web.Api;

/// <summary>
/// What the API and the dashboard do, as the console client's grain calls, for the tenant of one request. The key of
/// the request is already in the request context: the silo authorizes each call; nothing here checks a role.
/// </summary>
public sealed partial class TenantOperations(IClusterClient client, string tenant, TimeProvider time)
{
    /// <summary>What a grain method takes as the acting user: the silo replaces it with the key's principal.</summary>
    private const string ActingUser = CommandContext.ActingUser;

    /// <summary>The most occurrences a backfill preview lists.</summary>
    public const int MaxPreview = 1000;

    private const string ItemKey = "nodedb.operations";

    public string Tenant { get; } = tenant;

    /// <summary>The operations of the request's caller (attached by the API's or the dashboard's sign-in check).</summary>
    public static TenantOperations Of(HttpContext context) =>
        context?.Items[ItemKey] as TenantOperations ?? throw new InvalidOperationException("No caller is attached to this request.");

    /// <summary>Connects (on first use) and attaches the operations of <paramref name="caller"/> to the request.</summary>
    public static async Task<TenantOperations> AttachAsync(HttpContext context, WebCaller caller)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(caller);
        var services = context.RequestServices;
        var client = await services.GetRequiredService<ClusterAccess>().ClientAsync(context.RequestAborted);
        var ops = new TenantOperations(client, caller.Tenant, services.GetRequiredService<TimeProvider>());
        context.Items[ItemKey] = ops;
        return ops;
    }

    public IClusterClient Client { get; } = client;

    public Task<KeyIdentity> WhoAmIAsync() => Client.GetGrain<IApiKeysGrain>(Tenant).WhoAmIAsync();

    public Task<(IReadOnlyList<ScheduleStatus> Items, int Total)> ListAsync(ScheduleListQuery query) =>
        ScheduleCatalog.PageAsync(Client, Tenant, query, time.GetUtcNow());

    public async Task<ScheduleStatus> GetAsync(string name) =>
        await Schedule(name).GetStatusAsync() ?? throw NotFound(name);

    /// <summary>Runs a <c>CREATE SCHEDULE</c> statement through the silo's DDL parser.</summary>
    public async Task<ScheduleStatus> CreateAsync(string? ddl)
    {
        var text = Require(ddl, "ddl");
        if (!CreatePattern().IsMatch(text))
        {
            throw new UsageException("ddl is invalid here: creating a schedule takes one CREATE SCHEDULE statement (edit one with PUT and ALTER SCHEDULE).");
        }

        return await RunOneAsync(text);
    }

    /// <summary>
    /// Runs an <c>ALTER SCHEDULE name …</c> or <c>CREATE OR REPLACE SCHEDULE name …</c> statement when
    /// <paramref name="ifMatch"/> names the schedule's current version, so an edit made meanwhile is never overwritten.
    /// </summary>
    public async Task<ScheduleStatus> AlterAsync(string name, string? ddl, string? ifMatch)
    {
        var text = Require(ddl, "ddl");
        var target = EditPattern().Match(text);
        if (!target.Success || !string.Equals(target.Groups["name"].Value, name, StringComparison.OrdinalIgnoreCase))
        {
            throw new UsageException($"ddl is invalid here: an edit of '{name}' takes one ALTER SCHEDULE {name} … or CREATE OR REPLACE SCHEDULE {name} … statement.");
        }

        if (string.IsNullOrWhiteSpace(ifMatch))
        {
            throw new NodeDbException(WebErrorCodes.PreconditionRequired, $"Editing '{name}' needs If-Match with the ETag of the version you read (GET the schedule first).");
        }

        var current = await GetAsync(name);
        if (!ScheduleVersion.Matches(ifMatch, current))
        {
            throw new NodeDbException(WebErrorCodes.EditConflict,
                $"Schedule '{name}' changed since version {ifMatch} was read (now {ScheduleVersion.ETag(current)}, updated {current.UpdatedAt:O}): read it again and redo the edit.");
        }

        // Checked again by the schedule grain in the turn that writes: an edit that lands between the read above and this
        // one is refused there (edit_conflict), never silently overwritten.
        return await EditPrecondition.RunAsync(current.UpdatedAt, () => RunOneAsync(text));
    }

    public async Task DropAsync(string name, string? ifMatch)
    {
        var dropped = false;
        if (string.IsNullOrWhiteSpace(ifMatch))
        {
            dropped = await Schedule(name).DropAsync();
        }
        else
        {
            var current = await GetAsync(name);
            if (!ScheduleVersion.Matches(ifMatch, current))
            {
                throw new NodeDbException(WebErrorCodes.EditConflict, $"Schedule '{name}' changed since version {ifMatch} was read: read it again before dropping it.");
            }

            dropped = await EditPrecondition.RunAsync(current.UpdatedAt, () => Schedule(name).DropAsync());
        }

        if (!dropped)
        {
            throw NotFound(name);
        }
    }

    public async Task<ScheduleStatus> PauseAsync(string name, string? reason, DateTimeOffset? resumeAt = null)
    {
        var why = Require(reason, "reason");
        await GetAsync(name);
        return await Schedule(name).PauseAsync(ActingUser, why, resumeAt);
    }

    public async Task<ScheduleStatus> ResumeAsync(string name)
    {
        await GetAsync(name);
        return await Schedule(name).ResumeAsync();
    }

    public async Task<string> TriggerAsync(string name)
    {
        await GetAsync(name);
        return await Schedule(name).TriggerAsync(ActingUser);
    }

    /// <summary>The occurrences of the schedule's cron in <c>[from, to]</c>, as the silo reads the cron (at most <see cref="MaxPreview"/>).</summary>
    public async Task<ImmutableArray<DateTimeOffset>> BackfillPreviewAsync(string name, DateTimeOffset from, DateTimeOffset to)
    {
        CheckRange(from, to);
        var status = await GetAsync(name);
        var preview = await Session.PreviewCronAsync(status.Definition.Cron, status.Definition.TimeZone, from.AddTicks(-1), MaxPreview);
        return [.. preview.Occurrences.Where(o => o <= to)];
    }

    public async Task<int> BackfillAsync(string name, DateTimeOffset from, DateTimeOffset to)
    {
        CheckRange(from, to);
        await GetAsync(name);
        return await Schedule(name).BackfillAsync(from, to, ActingUser);
    }

    public async Task<ImmutableArray<RunRecord>> RunsAsync(string? schedule, RunStatus? status, int limit)
    {
        if (limit is < 1 or > 10_000)
        {
            throw new UsageException($"limit {limit} is invalid: give 1 to 10000.");
        }

        if (schedule is not null)
        {
            await GetAsync(schedule);
        }

        return await Client.GetGrain<IJobHistoryGrain>(Tenant).QueryAsync(new HistoryQuery { Schedule = schedule, Status = status, Limit = limit });
    }

    public Task<CronPreview> PreviewAsync(string? cron, string? zone, DateTimeOffset? from, int count) =>
        Session.PreviewCronAsync(Require(cron, "cron"), string.IsNullOrWhiteSpace(zone) ? null : zone, from, count);

    public Task<ImmutableArray<GroupHealth>> HealthAsync() => Session.GetHealthAsync(null);

    public Task<ImmutableArray<SiloLoad>> SilosAsync() => Session.GetSilosAsync();

    /// <summary>Checks a <c>CREATE SCHEDULE</c> statement with the silo's parser, cron reader and body guard; creates nothing.</summary>
    public Task<DdlCheck> CheckAsync(string? ddl, int count = 5) => Session.CheckCreateAsync(Require(ddl, "ddl"), count);

    public Task<ImmutableArray<AuditEntry>> AuditAsync(bool cluster, int limit) =>
        Client.GetGrain<IAuditGrain>(cluster ? ApiKeyText.ClusterScope : Tenant).QueryAsync(limit);

    public Task<ImmutableArray<ApiKeyInfo>> KeysAsync(bool cluster) => Keys(cluster).ListAsync();

    public Task<NewApiKey> CreateKeyAsync(bool cluster, string? principal, string? role, DateTimeOffset? expiresAt) =>
        Keys(cluster).CreateAsync(Require(principal, "principal"), ParseRole(role), expiresAt);

    public Task<ApiKeyInfo> RevokeKeyAsync(bool cluster, string id) => Keys(cluster).RevokeAsync(id);

    public static RunStatus? ParseStatus(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        return Enum.TryParse<RunStatus>(text, ignoreCase: true, out var s) && Enum.IsDefined(s) && !int.TryParse(text, out _)
            ? s
            : throw new UsageException($"status '{text}' is invalid: use one of {string.Join(", ", Enum.GetNames<RunStatus>())}.");
    }

    public static ApiKeyRole ParseRole(string? text) =>
        Enum.TryParse<ApiKeyRole>(text, ignoreCase: true, out var r) && Enum.IsDefined(r) && !int.TryParse(text, out _)
            ? r
            : throw new UsageException($"role '{text}' is invalid: use reader, operator or admin.");

    private async Task<ScheduleStatus> RunOneAsync(string ddl)
    {
        var results = await Session.ExecuteAsync(ddl, ActingUser);
        if (results.Length != 1 || results[0].Schedules.IsDefaultOrEmpty)
        {
            // Only reachable with a script of several statements; each already ran, so say what happened.
            throw new UsageException($"ddl ran {results.Length} statement(s) ({string.Join(", ", results.Select(r => r.Tag))}); send one schedule statement at a time.");
        }

        return results[0].Schedules[0];
    }

    private static void CheckRange(DateTimeOffset from, DateTimeOffset to)
    {
        if (to < from)
        {
            throw new UsageException($"to {to:O} is invalid: it lies before from {from:O}.");
        }
    }

    private static string Require(string? value, string field) =>
        string.IsNullOrWhiteSpace(value) ? throw new UsageException($"{field} is required and must not be empty.") : value.Trim();

    private IScheduleGrain Schedule(string name) => Client.GetGrain<IScheduleGrain>(ScheduleKey.Of(Tenant, name));

    private ISqlSessionGrain Session => Client.GetGrain<ISqlSessionGrain>(Tenant);

    private IApiKeysGrain Keys(bool cluster) => Client.GetGrain<IApiKeysGrain>(cluster ? ApiKeyText.ClusterScope : Tenant);

    private NodeDbException NotFound(string name) =>
        new(ErrorCodes.NotFound, $"Schedule '{name}' does not exist in tenant '{Tenant}'.");

    [GeneratedRegex(@"^\s*CREATE\s+(OR\s+REPLACE\s+)?SCHEDULE\s", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CreatePattern();

    [GeneratedRegex(@"^\s*(ALTER\s+SCHEDULE|CREATE\s+OR\s+REPLACE\s+SCHEDULE)\s+(?<q>""?)(?<name>[^\s""(]+)\k<q>(\s|$)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex EditPattern();
}
