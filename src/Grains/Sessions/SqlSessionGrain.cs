using System.Collections.Immutable;
using Microsoft.Extensions.Options;
using NodeDb.Orleans.Grains.Ddl;
using NodeDb.Orleans.Grains.Hosting;
using NodeDb.Orleans.Grains.Running;
using NodeDb.Orleans.Grains.Scheduling;
using NodeDb.Orleans.Grains.Schedules;
using NodeDb.Orleans.Grains.Sql.Execution;
using Orleans.Concurrency;

namespace NodeDb.Orleans.Grains.Sessions;

/// <summary>
/// Parses the client's scripts with <see cref="DdlParser"/> and sends each statement where it belongs: schedule DDL to
/// the schedule grains, anything else to the tenant's database.
/// </summary>
/// <remarks>
/// Stateless, so any silo may serve any tenant and several requests of one tenant run side by side; ordering within
/// a script comes from awaiting each statement before the next.
/// </remarks>
[StatelessWorker]
public sealed partial class SqlSessionGrain(
    ITenantSqlExecutor sql,
    SchedulerClock clock,
    IOptions<SchedulerOptions> options,
    SchedulerSettings settings,
    IJobRunner runner,
    IClusterMembershipService membership,
    BulkScheduleWriter writer) : Grain, ISqlSessionGrain
{
    /// <summary>The most occurrences one preview returns.</summary>
    public const int MaxPreviewCount = 1000;

    /// <summary>Consecutive CREATE SCHEDULE statements of one script that run side by side.</summary>
    internal const int ParallelCreates = 64;

    private readonly SchedulerOptions _options = options.Value;

    private string Tenant => this.GetPrimaryKeyString();

    public async Task<ImmutableArray<SqlStatementResult>> ExecuteAsync(string script, string user)
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        TenantName.Check(Tenant);
        var statements = DdlParser.ParseScript(script);
        if (statements.Count == 0)
        {
            throw new NodeDbException(ErrorCodes.SyntaxError, "The script has no statement: expected a statement such as SHOW SCHEDULES.");
        }

        var results = new SqlStatementResult[statements.Count];
        for (var i = 0; i < statements.Count;)
        {
            var end = EndOfCreates(statements, i);
            if (end - i > 1)
            {
                await RunCreatesAsync(statements, i, end, user, results);
                i = end;
                continue;
            }

            try
            {
                results[i] = await RunAsync(statements[i], user);
            }
            catch (NodeDbException e) when (statements.Count > 1)
            {
                // Earlier statements have taken effect: say so, or the user cannot tell what to re-run.
                throw new NodeDbException(e.Code, $"Statement {i + 1} of {statements.Count} failed ({Ran(i)}): {e.Message}");
            }

            i++;
        }

        return [.. results];
    }

    /// <summary>The end (exclusive) of the run of CREATE SCHEDULE statements with distinct names that starts at <paramref name="start"/>.</summary>
    private static int EndOfCreates(IReadOnlyList<SqlStatement> statements, int start)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var end = start;
        while (end < statements.Count && statements[end] is CreateScheduleStatement create && names.Add(create.Name))
        {
            end++;
        }

        return end;
    }

    /// <summary>
    /// Runs consecutive CREATE SCHEDULE statements side by side (bounded): they name distinct schedules, so their order
    /// cannot change the outcome, and a script importing thousands of schedules is not one round of writes per schedule.
    /// </summary>
    /// <remarks>
    /// After a failure no further statement starts; those already running finish. The error names the first failed
    /// statement and every statement that took effect, since some after it may have.
    /// </remarks>
    private async Task RunCreatesAsync(IReadOnlyList<SqlStatement> statements, int start, int end, string user, SqlStatementResult[] results)
    {
        var failures = new SortedDictionary<int, NodeDbException>();
        var reserved = await ReserveNamesAsync(statements, start, end);
        var pending = await CreateReservedAsync(statements, start, end, user, reserved, results, failures);
        using var slots = new SemaphoreSlim(ParallelCreates);
        var running = new List<Task>(end - start);
        var next = 0;
        for (; next < pending.Count && !FailedBefore(pending[next]); next++)
        {
            await slots.WaitAsync();
            if (FailedBefore(pending[next]))
            {
                slots.Release();
                break;
            }

            var index = pending[next];
            running.Add(RunOneAsync(index));
        }

        // The statements a failure kept from starting give back the names reserved for them.
        running.AddRange(pending.Skip(next).Select(i => ReleaseIfReservedAsync(((CreateScheduleStatement)statements[i]).Name)));
        await Task.WhenAll(running);
        if (failures.Count == 0)
        {
            return;
        }

        var (first, error) = failures.First();
        var after = Enumerable.Range(first + 1, end - first - 1).Where(i => results[i] is not null).ToList();
        var ran = Ran(first) + (after.Count == 0 ? "" : $"; statement{(after.Count == 1 ? "" : "s")} {Ranges(after)}, run alongside it, took effect too");
        throw new NodeDbException(error.Code, statements.Count > 1 ? $"Statement {first + 1} of {statements.Count} failed ({ran}): {error.Message}" : error.Message);

        // A statement after one that failed does not start (one before it still does: it would have run first).
        bool FailedBefore(int index) => failures.Count > 0 && failures.Keys.First() < index;

        async Task RunOneAsync(int index)
        {
            try
            {
                results[index] = await CreateAsync((CreateScheduleStatement)statements[index], user);
            }
            catch (NodeDbException e)
            {
                // A refusal comes before anything of the schedule is written (any other failure may follow a write whose
                // outcome is unknown, and keeps the name).
                failures[index] = e;
                await ReleaseIfReservedAsync(((CreateScheduleStatement)statements[index]).Name);
            }
            finally
            {
                slots.Release();
            }
        }

        async Task ReleaseIfReservedAsync(string name)
        {
            if (!reserved.Contains(name))
            {
                return;
            }

            try
            {
                // The schedule grain decides in its own turn: a schedule of that name that exists keeps it.
                await GrainFactory.Get<IScheduleNameGrain>(ScheduleKey.Of(Tenant, name)).ReleaseUnusedNameAsync();
            }
            catch (Exception)
            {
                // Left listed: a name without a schedule, shown by no listing of schedules, taken again by a retried create.
            }
        }
    }

    /// <summary>
    /// Creates the statements whose names were reserved ahead with the bulk writer (no activation per schedule), up to the
    /// first one refused: as when they run one by one, no statement after a refused one takes effect. Returns, in order, the
    /// statements still to run through their schedule grains (those before the first refusal that the writer left to them,
    /// and those whose names were not reserved), and those after the refusal, which never start (their names are given back
    /// by the caller).
    /// </summary>
    private async Task<List<int>> CreateReservedAsync(
        IReadOnlyList<SqlStatement> statements, int start, int end, string user, HashSet<string> reserved, SqlStatementResult[] results,
        SortedDictionary<int, NodeDbException> failures)
    {
        var all = Enumerable.Range(start, end - start).ToList();
        if (reserved.Count == 0)
        {
            return all;
        }

        var direct = new List<int>();
        var definitions = new List<ScheduleDefinition>();
        foreach (var i in all.Where(i => reserved.Contains(((CreateScheduleStatement)statements[i]).Name)))
        {
            try
            {
                definitions.Add(((CreateScheduleStatement)statements[i]).ToDefinition(Tenant, user));
                direct.Add(i);
            }
            catch (NodeDbException e)
            {
                failures[i] = e;
                break;
            }
        }

        var outcomes = await writer.CreateAsync(definitions, stopAtFirstRefusal: true);
        var left = new HashSet<int>();
        for (var k = 0; k < direct.Count; k++)
        {
            var (i, outcome) = (direct[k], outcomes[k]);
            var name = ((CreateScheduleStatement)statements[i]).Name;
            if (outcome.Status is { } status)
            {
                results[i] = Result(SqlStatementKind.CreateSchedule, "CREATE SCHEDULE", name) with { Schedules = [status] };
            }
            else if (outcome.Error is { } error)
            {
                failures[i] = error;
                if (outcome.NothingWritten)
                {
                    await ReleaseReservedAsync(name);
                }
            }
            else
            {
                left.Add(i);
            }
        }

        // Those before the first failure that are not done run through their grains; those after it never start (the
        // caller sees the failure before them and gives back their names).
        var firstFailure = failures.Count == 0 ? end : failures.Keys.First();
        return [.. all.Where(i => results[i] is null && !failures.ContainsKey(i)
            && (i > firstFailure || left.Contains(i) || !reserved.Contains(((CreateScheduleStatement)statements[i]).Name)))];
    }

    /// <summary>Gives back a reserved name whose create wrote nothing; the schedule grain decides in its own turn.</summary>
    private async Task ReleaseReservedAsync(string name)
    {
        try
        {
            await GrainFactory.Get<IScheduleNameGrain>(ScheduleKey.Of(Tenant, name)).ReleaseUnusedNameAsync();
        }
        catch (Exception)
        {
            // Left listed: a name without a schedule, shown by no listing of schedules, taken again by a retried create.
        }
    }

    /// <summary>
    /// Reserves the names of a run of CREATE statements in the tenant's index, each bucket written once for the run instead
    /// of once per name (<see cref="ITenantScheduleIndexGrain.ReserveManyAsync"/>). Nothing when they would pass the limit:
    /// then each create reserves its own name, and the limit decides exactly which get in.
    /// </summary>
    private async Task<HashSet<string>> ReserveNamesAsync(IReadOnlyList<SqlStatement> statements, int start, int end)
    {
        var names = Enumerable.Range(start, end - start).Select(i => ((CreateScheduleStatement)statements[i]).Name).ToImmutableArray();
        if (names.Length < 2)
        {
            return [];
        }

        try
        {
            return (await GrainFactory.Get<ITenantScheduleIndexGrain>(Tenant).ReserveManyAsync(names)).ToHashSet(StringComparer.Ordinal);
        }
        catch (Exception e) when (e is not NodeDbException)
        {
            // Only the shortcut is lost: each create reserves its own name. (Should the call have reserved some before it
            // failed, they are names without schedules, which a create of that name takes again.)
            return [];
        }
    }

    /// <summary>Statement numbers (1-based) as ranges: "9–20, 22".</summary>
    private static string Ranges(List<int> indexes)
    {
        var parts = new List<string>();
        for (var i = 0; i < indexes.Count;)
        {
            var j = i;
            while (j + 1 < indexes.Count && indexes[j + 1] == indexes[j] + 1)
            {
                j++;
            }

            parts.Add(i == j ? $"{indexes[i] + 1}" : $"{indexes[i] + 1}–{indexes[j] + 1}");
            i = j + 1;
        }

        return string.Join(", ", parts);
    }

    public Task<CronPreview> PreviewCronAsync(string cron, string? timeZone, DateTimeOffset? from, int count)
    {
        ArgumentNullException.ThrowIfNull(cron);
        if (count is < 1 or > MaxPreviewCount)
        {
            throw new NodeDbException(ErrorCodes.InvalidDefinition, $"Count {count} is out of range: ask for 1 to {MaxPreviewCount} occurrences.");
        }

        var schedule = CronSchedule.Parse(cron, timeZone, ScheduleZone.Parse(_options.DefaultTimeZone));
        var start = from ?? clock.GetUtcNow();
        return Task.FromResult(new CronPreview
        {
            Zone = schedule.Zone.Id,
            From = schedule.Zone.ToLocal(start),
            Occurrences = [.. schedule.Next(start, count)],
        });
    }

    public async Task<ImmutableArray<GroupHealth>> GetHealthAsync(string? group)
    {
        IEnumerable<string> groups = group is not null
            ? [group]
            : _options.Routing.Values.Append(Health.ShardRouting.DefaultGroup).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var result = ImmutableArray.CreateBuilder<GroupHealth>();
        foreach (var g in groups)
        {
            result.Add(new GroupHealth(g, await GrainFactory.GetGrain<IRaftHealthGrain>(g).CheckAsync()));
        }

        return result.ToImmutable();
    }

    private static string Ran(int before) => before switch
    {
        0 => "none ran before it",
        1 => "the statement before it took effect",
        _ => $"the {before} statements before it took effect",
    };

    private Task<SqlStatementResult> RunAsync(SqlStatement statement, string user) => statement switch
    {
        CreateScheduleStatement create => CreateAsync(create, user),
        AlterScheduleStatement alter => AlterAsync(alter),
        DropScheduleStatement drop => DropAsync(drop),
        ShowSchedulesStatement => ShowSchedulesAsync(),
        ShowScheduleHistoryStatement history => ShowHistoryAsync(history),
        OtherStatement other => QueryAsync(other, user),
        _ => throw new NotSupportedException($"Statement type {statement.GetType().Name} has no handler."),
    };

    private IScheduleGrain Schedule(string name) => GrainFactory.Get<IScheduleGrain>(ScheduleKey.Of(Tenant, name));

    private async Task<SqlStatementResult> CreateAsync(CreateScheduleStatement create, string user)
    {
        // The per-tenant limits (schedules per tenant, minimum interval) are the schedule grain's to enforce, so a client
        // that calls it directly meets them too.
        var definition = create.ToDefinition(Tenant, user);
        try
        {
            var status = await Schedule(create.Name).CreateAsync(definition, replace: create.OrReplace);
            return Result(SqlStatementKind.CreateSchedule, "CREATE SCHEDULE", create.Name) with { Schedules = [status] };
        }
        catch (NodeDbException e) when (e.Code == ErrorCodes.AlreadyExists && create.IfNotExists)
        {
            var existing = await Schedule(create.Name).GetStatusAsync();
            return Result(SqlStatementKind.CreateSchedule, "CREATE SCHEDULE", create.Name) with
            {
                Changed = false,
                Schedules = existing is null ? [] : [existing],
            };
        }
    }

    private async Task<SqlStatementResult> AlterAsync(AlterScheduleStatement alter)
    {
        var schedule = Schedule(alter.Name);
        var current = await schedule.GetStatusAsync() ?? throw NotFound(alter.Name);
        var changed = alter.Apply(current.Definition);
        var status = await schedule.UpdateAsync(changed);
        return Result(SqlStatementKind.AlterSchedule, "ALTER SCHEDULE", alter.Name) with { Schedules = [status] };
    }

    private async Task<SqlStatementResult> DropAsync(DropScheduleStatement drop)
    {
        var dropped = await Schedule(drop.Name).DropAsync();
        if (!dropped && !drop.IfExists)
        {
            throw NotFound(drop.Name);
        }

        return Result(SqlStatementKind.DropSchedule, "DROP SCHEDULE", drop.Name) with { Changed = dropped };
    }

    private async Task<SqlStatementResult> ShowSchedulesAsync()
    {
        var names = await GrainFactory.GetGrain<ITenantSchedulesGrain>(Tenant).ListAsync();
        var statuses = await Task.WhenAll(names.Select(n => Schedule(n).GetStatusAsync()));
        return Result(SqlStatementKind.ShowSchedules, "SHOW SCHEDULES", null) with
        {
            // A name whose schedule is gone (dropped between the two reads) is left out rather than shown empty.
            Schedules = [.. statuses.OfType<ScheduleStatus>()],
        };
    }

    private async Task<SqlStatementResult> ShowHistoryAsync(ShowScheduleHistoryStatement show)
    {
        _ = await Schedule(show.Name).GetStatusAsync() ?? throw NotFound(show.Name);
        var query = new HistoryQuery { Schedule = show.Name };
        if (show.Limit is { } limit)
        {
            query = query with { Limit = limit };
        }

        var rows = await GrainFactory.GetGrain<IJobHistoryGrain>(Tenant).QueryAsync(query);
        return Result(SqlStatementKind.ShowScheduleHistory, "SHOW SCHEDULE HISTORY", show.Name) with { History = rows };
    }

    private async Task<SqlStatementResult> QueryAsync(OtherStatement other, string user)
    {
        var result = await sql.ExecuteAsync(Tenant, other.Sql, user);
        return Result(SqlStatementKind.Query, result.Tag, null) with { Query = result };
    }

    private static SqlStatementResult Result(SqlStatementKind kind, string tag, string? schedule) =>
        new() { Kind = kind, Tag = tag, Schedule = schedule };

    private NodeDbException NotFound(string name) =>
        new(ErrorCodes.NotFound, $"Schedule '{name}' does not exist in tenant '{Tenant}'.");
}
