using System.Reflection;
using NodeDb.Orleans.Grains.Ddl;

namespace NodeDb.Orleans.Grains.Security;

/// <summary>
/// The public surface: every grain method a client may call, with the role and scope it needs. Anything not listed
/// here (ticks, completions, wake shards, silo runners, history appends, index updates, key lookups, Orleans'
/// management grains…) is internal and refused to every client, whatever its key.
/// </summary>
public static class AccessPolicy
{
    private static readonly Dictionary<(Type, string), AccessRule> Rules = Build();

    /// <summary>The rule for an interface method, or null when clients may not call it.</summary>
    public static AccessRule? Find(MethodInfo? interfaceMethod) =>
        interfaceMethod?.DeclaringType is { } type && Rules.TryGetValue((type, interfaceMethod.Name), out var rule) ? rule : null;

    /// <summary>Every public (interface, method) pair, for tests and docs.</summary>
    public static IEnumerable<(Type Interface, string Method, AccessRule Rule)> All => Rules.Select(r => (r.Key.Item1, r.Key.Item2, r.Value));

    /// <summary>The role a script needs: reader for SHOW statements, admin for DDL and any other SQL.</summary>
    public static ApiKeyRole ScriptRole(string? script)
    {
        if (string.IsNullOrWhiteSpace(script))
        {
            return ApiKeyRole.Reader;
        }

        try
        {
            return DdlParser.ParseScript(script).All(s => s is ShowSchedulesStatement or ShowScheduleHistoryStatement)
                ? ApiKeyRole.Reader
                : ApiKeyRole.Admin;
        }
        catch (NodeDbException)
        {
            // The session reports the syntax error itself; a script that does not parse runs nothing.
            return ApiKeyRole.Reader;
        }
    }

    private static Dictionary<(Type, string), AccessRule> Build()
    {
        var rules = new Dictionary<(Type, string), AccessRule>();
        void Add<T>(string method, AccessRule rule)
        {
            // Fails at type load, not at a client's call, when a method is renamed.
            _ = typeof(T).GetMethod(method) ?? throw new InvalidOperationException($"{typeof(T).Name} has no method {method}.");
            rules.Add((typeof(T), method), rule);
        }

        Func<string, TenantTarget> schedule = TenantTarget.Schedule;
        Func<string, TenantTarget> tenant = TenantTarget.Key;
        Func<string, TenantTarget> none = _ => TenantTarget.None;

        Add<IScheduleGrain>(nameof(IScheduleGrain.GetStatusAsync), new(ApiKeyRole.Reader, schedule));
        Add<IScheduleGrain>(nameof(IScheduleGrain.CreateAsync), new(ApiKeyRole.Admin, schedule, Mutation: true, Rewrite: OwnDefinition));
        Add<IScheduleGrain>(nameof(IScheduleGrain.UpdateAsync), new(ApiKeyRole.Admin, schedule, Mutation: true, Rewrite: OwnDefinition));
        Add<IScheduleGrain>(nameof(IScheduleGrain.DropAsync), new(ApiKeyRole.Admin, schedule, Mutation: true));
        Add<IScheduleGrain>(nameof(IScheduleGrain.SetEnabledAsync), new(ApiKeyRole.Admin, schedule, Mutation: true));
        Add<IScheduleGrain>(nameof(IScheduleGrain.PauseAsync), new(ApiKeyRole.Operator, schedule, Mutation: true, Rewrite: (c, who) => c.Request.SetArgument(0, who.Principal)));
        Add<IScheduleGrain>(nameof(IScheduleGrain.ResumeAsync), new(ApiKeyRole.Operator, schedule, Mutation: true));
        Add<IScheduleGrain>(nameof(IScheduleGrain.TriggerAsync), new(ApiKeyRole.Operator, schedule, Mutation: true, Rewrite: (c, who) => c.Request.SetArgument(0, who.Principal)));
        Add<IScheduleGrain>(nameof(IScheduleGrain.BackfillAsync), new(ApiKeyRole.Operator, schedule, Mutation: true, Rewrite: (c, who) => c.Request.SetArgument(2, who.Principal)));

        Add<ITenantSchedulesGrain>(nameof(ITenantSchedulesGrain.ListAsync), new(ApiKeyRole.Reader, tenant));
        Add<ITenantSchedulesGrain>(nameof(ITenantSchedulesGrain.CreateManyAsync), new(ApiKeyRole.Admin, tenant, Mutation: true, Rewrite: OwnDefinitions));
        Add<IJobHistoryGrain>(nameof(IJobHistoryGrain.QueryAsync), new(ApiKeyRole.Reader, tenant));

        Add<ISqlSessionGrain>(nameof(ISqlSessionGrain.ExecuteAsync), new(
            ApiKeyRole.Reader, tenant, Mutation: true,
            RoleOf: c => ScriptRole(c.Request.GetArgument(0) as string),
            Rewrite: (c, who) => c.Request.SetArgument(1, who.Principal)));
        Add<ISqlSessionGrain>(nameof(ISqlSessionGrain.PreviewCronAsync), new(ApiKeyRole.Reader, tenant));
        Add<ISqlSessionGrain>(nameof(ISqlSessionGrain.GetHealthAsync), new(ApiKeyRole.Reader, tenant));

        // Cluster-wide counts per silo (schedules hosted, slots, queue): totals that name no tenant or schedule, so any
        // reader may see them, as it sees the replication groups' health.
        Add<ISqlSessionGrain>(nameof(ISqlSessionGrain.GetSilosAsync), new(ApiKeyRole.Reader, tenant));

        // What the Schedules list sorts by: the tenant's own schedules, as GetStatusAsync of each would show them.
        Add<ISqlSessionGrain>(nameof(ISqlSessionGrain.GetSummariesAsync), new(ApiKeyRole.Reader, tenant));

        // A check changes nothing and answers only what the parser, the cron reader and the body guard say of the text the
        // caller sent: a reader may lint DDL (in CI, say) without the key that could run it.
        Add<ISqlSessionGrain>(nameof(ISqlSessionGrain.CheckCreateAsync), new(ApiKeyRole.Reader, tenant));

        // Health belongs to the service, not to a tenant: any key may read it, only its operators may report it.
        Add<IRaftHealthGrain>(nameof(IRaftHealthGrain.GetReportAsync), new(ApiKeyRole.Reader, none));
        Add<IRaftHealthGrain>(nameof(IRaftHealthGrain.CheckAsync), new(ApiKeyRole.Reader, none));
        Add<IRaftHealthGrain>(nameof(IRaftHealthGrain.ReportAsync), new(ApiKeyRole.Operator, none, Mutation: true, ClusterOnly: true));

        Add<IApiKeysGrain>(nameof(IApiKeysGrain.CreateAsync), new(ApiKeyRole.Admin, tenant, Mutation: true));
        Add<IApiKeysGrain>(nameof(IApiKeysGrain.ListAsync), new(ApiKeyRole.Admin, tenant));
        Add<IApiKeysGrain>(nameof(IApiKeysGrain.RevokeAsync), new(ApiKeyRole.Admin, tenant, Mutation: true));
        Add<IApiKeysGrain>(nameof(IApiKeysGrain.WhoAmIAsync), new(ApiKeyRole.Reader, tenant, Rewrite: (c, who) => c.Request.SetArgument(
            0, new KeyIdentity { Principal = who.Principal, KeyId = who.KeyId, Scope = who.Scope, Role = who.Role })));
        Add<IAuditGrain>(nameof(IAuditGrain.QueryAsync), new(ApiKeyRole.Admin, tenant));
        return rules;
    }

    /// <summary>The owner of every schedule of a client's bulk create is the caller, whatever the definitions say.</summary>
    private static void OwnDefinitions(IIncomingGrainCallContext context, Caller caller)
    {
        if (context.Request.GetArgument(0) is System.Collections.Immutable.ImmutableArray<ScheduleDefinition> { IsDefault: false } definitions)
        {
            context.Request.SetArgument(0, System.Collections.Immutable.ImmutableArray.CreateRange(definitions, d => d is null ? d! : d with { Owner = caller.Principal }));
        }
    }

    /// <summary>The owner of a schedule a client creates or changes is the caller, whatever the definition says.</summary>
    private static void OwnDefinition(IIncomingGrainCallContext context, Caller caller)
    {
        if (context.Request.GetArgument(0) is ScheduleDefinition definition)
        {
            context.Request.SetArgument(0, definition with { Owner = caller.Principal });
        }
    }
}
