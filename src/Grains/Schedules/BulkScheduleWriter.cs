using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using NodeDb.Orleans.Grains.Hosting;
using NodeDb.Orleans.Grains.Listing;
using NodeDb.Orleans.Grains.Recovery;
using NodeDb.Orleans.Grains.Running;
using NodeDb.Orleans.Grains.Scheduling;
using NodeDb.Orleans.Grains.Ticking;
using Orleans.Storage;
using Orleans.Timers;

namespace NodeDb.Orleans.Grains.Schedules;

/// <summary>
/// Creates the new schedules of a bulk call (<see cref="ITenantSchedulesGrain.CreateManyAsync"/>, a script's CREATE
/// statements) without an activation or a grain call per schedule: each storage kind is written once for the whole call
/// (wake-registry segments, reminders and schedule states, each group-committed), in the order a single create writes them.
/// </summary>
/// <remarks>
/// <para>Only for names the caller has just reserved in the tenant's index (so the index entry is durable first). For each
/// definition: the same validation as <see cref="ScheduleGrain.CreateAsync"/>; then the wake entries of all of them (one
/// call per wake shard), their reminders (Orleans' reminder registry, by grain id), and last their states, each written
/// as the schedule grain writes it (ETag "no row": a row that exists, a dropped schedule's tombstone or a concurrent
/// create, is a conflict and that definition goes through its grain instead, <see cref="BulkOutcome.UseGrain"/>). The state
/// is what makes a schedule exist, so a crash at any point leaves whole schedules or names, wake entries and reminders
/// without state, which the single create can leave too and which cost nothing (see <c>ScheduleGrain.CreateDurablyAsync</c>).</para>
/// <para>The state written is exactly the one <c>ScheduleGrain.CreateDurablyAsync</c> writes (generation 1, the create's
/// first observation as marker), so the grain that activates on it later (at its due instant, its reminder or any call)
/// sees what an activation of a grain-created schedule sees. This silo's tick index gets the due instant, as a grain
/// released when idle keeps its entry, and the wake registry names this silo as the host, so this silo's death wakes them.</para>
/// <para>A schedule grain that was activated before the state was written (a status read of the name a moment before) reads
/// its state again when it is absent (<c>ScheduleGrain</c>'s call filter), so it never acts on the stale "no schedule".</para>
/// </remarks>
public sealed class BulkScheduleWriter(
    IServiceProvider services,
    IGrainFactory grains,
    SchedulerClock clock,
    SchedulerSettings settings,
    IJobRunner runner,
    SchedulerTickService ticker,
    ScheduleBoard board,
    ILocalSiloDetails localSilo)
{
    /// <summary>Schedules written together: a slice's wake entries, reminders and states are in flight at once.</summary>
    internal const int SliceSize = 1_000;

    private readonly IGrainStorage _storage = services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Schedules);
    private readonly IReminderRegistry _reminders = services.GetRequiredService<IReminderRegistry>();

    /// <summary>
    /// Creates <paramref name="definitions"/> (new schedules of one tenant, their names reserved in its index by the caller).
    /// One outcome per definition, in order.
    /// </summary>
    /// <param name="definitions">The definitions.</param>
    /// <param name="stopAtFirstRefusal">
    /// A script's semantics: nothing after the first refused definition is written (those get <see cref="BulkOutcome.UseGrain"/>,
    /// for the caller to leave unstarted).
    /// </param>
    public async Task<ImmutableArray<BulkOutcome>> CreateAsync(IReadOnlyList<ScheduleDefinition> definitions, bool stopAtFirstRefusal = false)
    {
        var outcomes = new BulkOutcome[definitions.Count];
        if (RequestContext.Get(EditPrecondition.Key) is not null)
        {
            // "Only if unchanged since I read it": the grain answers that, schedule by schedule.
            outcomes.AsSpan().Fill(BulkOutcome.UseGrain);
            return [.. outcomes];
        }

        var now = clock.GetUtcNow();
        var options = settings.Options;
        var bodies = new CheckedBodies(runner);
        var intervals = new Dictionary<(string Cron, string? Zone), NodeDbException?>();
        var prepared = false;
        var writing = Task.CompletedTask;
        var stopped = false;
        for (var start = 0; start < definitions.Count && !stopped; start += SliceSize)
        {
            // A slice is validated while the one before it is written (its storage round trips leave the turn free).
            var slice = new List<Planned>(SliceSize);
            for (var i = start; i < Math.Min(start + SliceSize, definitions.Count); i++)
            {
                var definition = definitions[i];
                try
                {
                    var cron = ScheduleValidator.Validate(definition, definition.Key, settings.DefaultZone, bodies, settings.Limits);
                    CheckInterval(intervals, cron, definition, now, options);
                    slice.Add(Plan(i, definition, cron, now, options));
                }
                catch (NodeDbException e)
                {
                    outcomes[i] = BulkOutcome.Refused(e);
                    if (stopAtFirstRefusal)
                    {
                        outcomes.AsSpan(i + 1).Fill(BulkOutcome.UseGrain);
                        stopped = true;
                        break;
                    }
                }
            }

            if (!prepared && slice.FirstOrDefault(p => p.Definition.Enabled) is { } first)
            {
                // Its next runs start on this silo or another: as an activation does, open the tenant's database ahead.
                runner.Prepare(first.Definition.Tenant);
                prepared = true;
            }

            await writing;
            writing = WriteAsync([.. slice], outcomes, now, options);
        }

        await writing;
        return [.. outcomes];
    }

    private async Task WriteAsync(Planned[] slice, BulkOutcome[] outcomes, DateTimeOffset now, SchedulerOptions options)
    {
        var enabled = slice.Where(p => p.Definition.Enabled).ToList();
        try
        {
            // Wake entries and reminders (side by side), then states: as in a single create, no state is ever stored that
            // nothing wakes. One call per wake shard; the reminders' upserts and the states' writes share transactions.
            var local = localSilo.SiloAddress.ToParsableString();
            var wake = Task.WhenAll(enabled
                .GroupBy(p => (Shard: WakeShards.ShardOf(p.Definition.Key), Host: p.Definition.Scope == ScheduleScope.Local ? IScheduleWakeShardGrain.AnyHost : local))
                .Select(g => grains.Get<IScheduleWakeShardGrain>(g.Key.Shard).RegisterManyAsync([.. g.Select(p => p.Definition.Key)], g.Key.Host)));
            var reminders = Task.WhenAll(enabled.Select(p => _reminders.RegisterOrUpdateReminder(p.GrainId, ScheduleCreation.ReminderName, options.ReminderPeriod, options.ReminderPeriod)));
            await Task.WhenAll(wake, reminders);
        }
        catch (Exception)
        {
            // No state of these schedules is written yet: each goes through its grain, which writes all of it again.
            foreach (var p in slice)
            {
                outcomes[p.Index] = BulkOutcome.UseGrain;
            }

            return;
        }

        await Task.WhenAll(slice.Select(async p =>
        {
            try
            {
                await _storage.WriteStateAsync(ScheduleCreation.StateName, p.GrainId, new GrainState<ScheduleState>(p.State));
            }
            catch (InconsistentStateException)
            {
                // A row is there: a dropped schedule's tombstone (whose generation the grain carries on) or a create that
                // got there first. The grain decides, in its own turn.
                outcomes[p.Index] = BulkOutcome.UseGrain;
                return;
            }
            catch (Exception e)
            {
                // The write's outcome is unknown (it may have committed): the name stays reserved, as after a single create's
                // failed write, and the caller is told to look.
                outcomes[p.Index] = BulkOutcome.Failed(new NodeDbException(
                    ErrorCodes.StorageFailed,
                    $"Schedule '{p.Definition.Name}' could not be stored ({e.Message}); it may or may not exist: read it, or create it again."));
                return;
            }

            outcomes[p.Index] = BulkOutcome.Created(p.Status);
            Register(p, now);
        }));
    }

    /// <summary>What the schedule's own activation would publish after its create: its due instant here, its line on the board.</summary>
    private void Register(Planned p, DateTimeOffset now)
    {
        ticker.SetDue(p.Definition.Key, p.Due);
        board.Set(p.Definition.Tenant, ScheduleSummary.Of(p.Status, now));
    }

    private Planned Plan(int index, ScheduleDefinition definition, CronSchedule cron, DateTimeOffset now, SchedulerOptions options)
    {
        var rules = ScheduleCreation.Rules(definition, options);
        var marker = ScheduleCreation.FirstObservation(definition, cron, now, rules);
        var state = ScheduleCreation.State(definition, marker, now, generation: 1);

        // As ScheduleGrain.RefreshDue and Status compute them for a schedule with nothing in flight.
        var due = definition.Enabled ? OccurrencePlanner.NextDue(cron, marker, now, rules) : null;
        DateTimeOffset? next = null;
        if (definition.Enabled)
        {
            var anchor = marker is { } last && last > now ? last : now;
            next = OccurrencePlanner.NextDue(cron, anchor, now, rules) is { } at ? cron.Zone.ToLocal(at) : null;
        }

        var status = new ScheduleStatus
        {
            Definition = definition,
            LastFired = marker,
            NextRun = next,
            InFlight = [],
            CreatedAt = now,
            UpdatedAt = now,
        };
        return new Planned(index, definition, grains.Get<IScheduleGrain>(definition.Key).GetGrainId(), state, status, due);
    }

    /// <summary><see cref="ScheduleValidator.CheckInterval"/>, once per cron and zone of the call (the answer depends on nothing else).</summary>
    private static void CheckInterval(
        Dictionary<(string Cron, string? Zone), NodeDbException?> checkedIntervals, CronSchedule cron, ScheduleDefinition definition, DateTimeOffset now, SchedulerOptions options)
    {
        var key = (definition.Cron, definition.TimeZone);
        if (!checkedIntervals.TryGetValue(key, out var refusal))
        {
            try
            {
                ScheduleValidator.CheckInterval(cron, definition.Cron, now, options.MinimumInterval);
            }
            catch (NodeDbException e)
            {
                refusal = e;
            }

            checkedIntervals[key] = refusal;
        }

        if (refusal is not null)
        {
            throw refusal;
        }
    }

    /// <summary>
    /// The runner's CREATE-time body check, once per body of the call: an import of thousands of schedules usually repeats
    /// a few bodies, and the check prepares each in a probe database. Its answer depends on the tenant and the body only.
    /// </summary>
    private sealed class CheckedBodies(IJobRunner runner) : IJobRunner
    {
        private readonly Dictionary<(string Tenant, string Body), NodeDbException?> _checked = [];

        public void ValidateBody(string tenant, string body)
        {
            if (!_checked.TryGetValue((tenant, body), out var refusal))
            {
                try
                {
                    runner.ValidateBody(tenant, body);
                }
                catch (NodeDbException e)
                {
                    refusal = e;
                }

                _checked[(tenant, body)] = refusal;
            }

            if (refusal is not null)
            {
                throw refusal;
            }
        }

        public Task<JobOutcome> RunAsync(JobRequest request, CancellationToken cancellationToken) => runner.RunAsync(request, cancellationToken);

        public Task<bool?> WasCommittedAsync(string tenant, string runId, CancellationToken cancellationToken) =>
            runner.WasCommittedAsync(tenant, runId, cancellationToken);
    }

    private sealed record Planned(int Index, ScheduleDefinition Definition, GrainId GrainId, ScheduleState State, ScheduleStatus Status, DateTimeOffset? Due);
}
