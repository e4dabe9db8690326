using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Orleans.Storage;
using NodeDb.Orleans.Grains.Diagnostics;
using NodeDb.Orleans.Grains.Health;
using NodeDb.Orleans.Grains.Hosting;
using NodeDb.Orleans.Grains.Recovery;
using NodeDb.Orleans.Grains.Running;
using NodeDb.Orleans.Grains.Scheduling;
using NodeDb.Orleans.Grains.Sql.Text;
using NodeDb.Orleans.Grains.Ticking;

namespace NodeDb.Orleans.Grains.Schedules;

/// <summary>
/// One schedule. Its single activation replaces NodeDB's leader election: only the activation whose claim
/// (the state write with the storage ETag) succeeds fires an occurrence.
/// </summary>
/// <remarks>
/// Not reentrant: every decision reads and writes the state in one turn. Runs execute in the silo's
/// <see cref="JobDispatcher"/>, off the grain's turn, and come back through <see cref="CompleteRunAsync"/>.
/// </remarks>
public sealed partial class ScheduleGrain(
    [PersistentState(ScheduleCreation.StateName, StorageNames.Schedules)] IPersistentState<ScheduleState> state,
    SchedulerClock clock,
    SchedulerSettings settings,
    SchedulerTickService ticker,
    JobDispatcher dispatcher,
    IJobRunner runner,
    IClusterMembershipService membership,
    ILocalSiloDetails localSilo,
    HealthGate healthGate,
    ShutdownHandOff handOff,
    SchedulerInstruments instruments,
    TimeProvider infrastructureTime,
    ILogger<ScheduleGrain> logger) : Grain, IScheduleGrain, IScheduleRuntimeGrain, IRemindable
{
    private const string ReminderName = ScheduleCreation.ReminderName;

    // How soon a schedule holding history rows it could not append tries again (see UnflushedRecheck).
    private static readonly TimeSpan OutboxRetry = TimeSpan.FromSeconds(5);

    // A call that holds the schedule's turn this long is worth a warning (Timed): the schedule fires nothing meanwhile.
    private static readonly TimeSpan SlowStep = TimeSpan.FromSeconds(1);
    private readonly SchedulerOptions _options = settings.Options;
    private CronSchedule? _cron;
    private string _group = ShardRouting.DefaultGroup;
    private string? _guardError;
    private bool _releasingIdle;

    // The history append of an earlier turn, while it is still under way (FlushOutboxAsync).
    private Task? _appending;

    // Whether this activation's silo is recorded as the schedule's host in the wake registry (RecordHost), and whether
    // that record is being written now.
    private bool _hostRecorded;
    private bool _recordingHost;

    private string Key => this.GetPrimaryKeyString();

    private ScheduleDefinition? Definition => state.State.Definition;

    public override Task OnActivateAsync(CancellationToken cancellationToken) => StartFromStateAsync();

    /// <summary>What an activation does with the state it read (also after <see cref="RereadIfAbsentAsync"/> found one).</summary>
    private async Task StartFromStateAsync()
    {
        if (Definition is null)
        {
            return;
        }

        LoadDefinition(Definition);
        if (Definition.Enabled)
        {
            // Its next runs start here: a silo that has just started opens the tenant's database before the first one.
            runner.Prepare(Definition.Tenant);
        }

        var now = clock.GetUtcNow();
        await SettleOrphansAsync(now);
        await FlushOutboxAsync();
        RefreshDue(now);

        RecordHost();
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // An idle schedule lets its activation go but keeps its entry in this silo's tick index: the poke at the due
        // instant activates it again (wherever it lands, it registers there), so 100,000 schedules due next week cost
        // an index entry each, not an activation each. Any other reason removes the entry; the next activation
        // registers afresh.
        if (_releasingIdle || reason.ReasonCode is DeactivationReasonCode.ActivationIdle or DeactivationReasonCode.HighMemoryPressure)
        {
            return Task.CompletedTask;
        }

        ticker.Remove(Key);
        if (Definition is { Enabled: true }
            && reason.ReasonCode is not (DeactivationReasonCode.ShuttingDown or DeactivationReasonCode.Migrating)
            && handOff.SurvivorFor(Key) is null)
        {
            // Gone for a reason nobody else answers for (a failed state write, a duplicate or unresponsive activation, a
            // directory failure): nothing would activate it again before its reminder, and a schedule firing every
            // second would miss an hour. A poke in a second does, wherever it lands; if another activation lives on,
            // the poke is only one call. (Migration registers the schedule where it lands; a stopping silo hands over.)
            LogDeactivated(logger, Key, reason.ReasonCode.ToString(), reason.Description);
            ticker.PokeSoon(Key);
        }

        return Task.CompletedTask;
    }

    public async Task<ScheduleStatus> CreateAsync(ScheduleDefinition definition, bool replace = false)
    {
        var cron = ScheduleValidator.Validate(definition, Key, settings.DefaultZone, runner, settings.Limits);
        var now = clock.GetUtcNow();
        ScheduleValidator.CheckInterval(cron, definition.Cron, now, _options.MinimumInterval);
        var existed = Definition is not null;
        if (existed && !replace)
        {
            throw new NodeDbException(ErrorCodes.AlreadyExists, $"Schedule '{definition.Name}' already exists in tenant '{definition.Tenant}'.");
        }

        CheckEditPrecondition();
        var marker = FirstObservation(definition, cron, now);
        if (existed)
        {
            state.State.Definition = definition;
            state.State.LastFired = marker;
            state.State.UpdatedAt = now;
            await WriteStateAsync();
            await GrainFactory.GetGrain<ITenantSchedulesGrain>(definition.Tenant).AddAsync(definition.Name);
            await SyncReminderAsync();
        }
        else
        {
            try
            {
                await CreateDurablyAsync(definition, marker, now);
            }
            catch (NodeDbException e) when (e.Code == ErrorCodes.AlreadyExists && replace && Definition is not null)
            {
                // Created meanwhile (and read since): OR REPLACE replaces that one.
                return await CreateAsync(definition, replace);
            }
        }

        LoadDefinition(definition, cron);
        RefreshDue(now);
        LogCreated(logger, Key, definition.Cron);
        return Status(now);
    }

    /// <summary>
    /// Writes a new schedule so that a crash at any point leaves it either whole or absent: the name is reserved in the
    /// tenant's index (which holds the per-tenant limit exactly), then the wake registry and the reminder are written,
    /// and the state last, because the state is what makes the schedule exist.
    /// </summary>
    /// <remarks>
    /// What a crash can leave before the state write wakes nothing and costs nothing: a listed name without a schedule
    /// (shown by no listing of schedules, taken again by a retried CREATE), a wake entry or reminder for a key without
    /// state (its reminder removes both). The reverse, a schedule nothing lists or wakes, cannot happen.
    /// </remarks>
    private async Task CreateDurablyAsync(ScheduleDefinition definition, DateTimeOffset? marker, DateTimeOffset now)
    {
        var index = GrainFactory.Get<ITenantScheduleIndexGrain>(definition.Tenant);
        await index.ReserveAsync(definition.Name, _options.MaxSchedulesPerTenant);
        var previous = state.State;
        state.State = ScheduleCreation.State(definition, marker, now, previous.Generation + 1);
        var written = false;
        try
        {
            await SyncReminderAsync();
            written = true;
            await WriteStateAsync();
        }
        catch (Exception e)
        {
            state.State = previous;
            if (!written)
            {
                // Nothing of the schedule is stored: give the name back. (After an ambiguous write failure it stays
                // reserved rather than risk a stored schedule that no index lists.)
                await ReleaseQuietlyAsync(definition);
            }
            else if (e is InconsistentStateException)
            {
                // A row appeared since this activation read "none": a schedule created meanwhile by a bulk create
                // (BulkScheduleWriter). Its name, wake entry and reminder are its own: keep them, read it, and say it exists.
                await state.ReadStateAsync();
                await StartFromStateAsync();
                throw new NodeDbException(ErrorCodes.AlreadyExists, $"Schedule '{definition.Name}' already exists in tenant '{definition.Tenant}': it was created meanwhile.");
            }

            throw;
        }
    }

    /// <summary>
    /// The seed contract's first observation, made by the create itself at its instant when it has nothing to fire or
    /// record: the marker that the tick loop's first poke would otherwise write a moment later. Null when the current
    /// unit holds an occurrence (the tick fires it, as before) or the schedule is disabled.
    /// </summary>
    /// <remarks>
    /// It is the very plan a tick at <paramref name="now"/> would make, written in the create's own state write: a create
    /// costs one state write instead of two and no poke. It also starts the schedule's accounting at its creation: an
    /// occurrence that falls between the create and the first tick (a stalled loop) is fired or recorded as missed,
    /// where a first observation at the later tick would have looked at its own unit only and passed over it unrecorded.
    /// </remarks>
    private DateTimeOffset? FirstObservation(ScheduleDefinition definition, CronSchedule cron, DateTimeOffset now) =>
        ScheduleCreation.FirstObservation(definition, cron, now, Rules(definition));

    private async Task ReleaseQuietlyAsync(ScheduleDefinition definition)
    {
        try
        {
            await GrainFactory.GetGrain<ITenantSchedulesGrain>(definition.Tenant).RemoveAsync(definition.Name);
            await SyncReminderAsync();
        }
        catch (Exception e)
        {
            // Safe to leave: a reserved name without a schedule is listed nowhere and a retried CREATE takes it again;
            // a stray wake entry or reminder removes itself when it finds no state.
            LogWriteFailed(logger, e, Key);
        }
    }

    public async Task<ScheduleStatus> UpdateAsync(ScheduleDefinition definition)
    {
        var current = RequireDefinition();
        CheckEditPrecondition();
        var cron = ScheduleValidator.Validate(definition, Key, settings.DefaultZone, runner, settings.Limits);
        var now = clock.GetUtcNow();
        ScheduleValidator.CheckInterval(cron, definition.Cron, now, _options.MinimumInterval);
        if (current.Cron != definition.Cron || current.TimeZone != definition.TimeZone || (!current.Enabled && definition.Enabled))
        {
            // A new cadence (or a re-enable) starts from the current unit: never a catch-up of what the old one
            // or the disabled period would have fired (NodeDB defect 9).
            state.State.LastFired = null;
        }

        state.State.Definition = definition;
        state.State.UpdatedAt = now;
        await WriteStateAsync();
        var cadenceChanged = current.Cron != definition.Cron || current.TimeZone != definition.TimeZone;
        LoadDefinition(definition, cron);
        if (!definition.Enabled || cadenceChanged)
        {
            await CancelArmedAsync(now, definition.Enabled ? "the schedule's cron or zone changed before its instant" : "disabled before its instant");
        }

        await SyncReminderAsync();
        RefreshDue(now);
        return Status(now);
    }

    /// <summary>Cancels the runs claimed ahead whose instant has not come: they end as Cancelled with the reason.</summary>
    private async Task CancelArmedAsync(DateTimeOffset now, string reason)
    {
        // Only what has not started: the instant may pass while this turn writes its state, and a run that has begun
        // by then runs to its end (its own outcome is recorded), rather than being rolled back "before its instant".
        foreach (var run in state.State.InFlight.Where(r => r.ScheduledAt > now && r.Trigger == RunTrigger.Cron).ToList())
        {
            await CancelRunAsync(run, reason, onlyBeforeStart: true);
        }
    }

    public async Task<bool> DropAsync()
    {
        if (Definition is not { } definition)
        {
            // Nothing stored; but a CREATE that crashed between reserving the name and writing the state leaves the name
            // listed in the tenant's index (and counted against its limit): a DROP clears that too.
            var (tenant, name) = ScheduleKey.Split(Key);
            await GrainFactory.GetGrain<ITenantSchedulesGrain>(tenant).RemoveAsync(name);
            return false;
        }

        CheckEditPrecondition();
        foreach (var run in state.State.InFlight)
        {
            await CancelRunAsync(run, "schedule dropped");
        }

        // A tombstone rather than a cleared row: the generation must survive, so a schedule re-created under the
        // same name never reuses a run id its predecessor wrote to the tenant's ledger.
        state.State = new ScheduleState { Generation = state.State.Generation };
        await WriteStateAsync();
        ticker.Remove(Key);
        await SyncReminderAsync();
        await GrainFactory.GetGrain<ITenantSchedulesGrain>(definition.Tenant).RemoveAsync(definition.Name);
        await GrainFactory.GetGrain<IJobHistoryGrain>(definition.Tenant).RemoveScheduleAsync(definition.Name);
        DeactivateOnIdle();
        return true;
    }

    [global::Orleans.Concurrency.ReadOnly]
    public Task<ScheduleStatus?> GetStatusAsync() =>
        Task.FromResult(Definition is null ? null : Status(clock.GetUtcNow()));

    public Task<ScheduleStatus> SetEnabledAsync(bool enabled) =>
        UpdateAsync(RequireDefinition() with { Enabled = enabled });

    public async Task<ScheduleStatus> PauseAsync(string by, string? note = null, DateTimeOffset? resumeAt = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(by);
        RequireDefinition();
        var now = clock.GetUtcNow();
        ScheduleValidator.CheckLength("pause note", note, settings.Limits.MaxNoteLength, "Scheduler:MaxNoteLength");
        if (resumeAt is { } until && until <= now)
        {
            throw new NodeDbException(ErrorCodes.InvalidDefinition, $"Resume time {until:O} is not in the future (now is {now:O}): give a later one, or resume now.");
        }

        state.State.Pause = new PauseInfo(by, now, note, resumeAt?.ToUniversalTime());
        state.State.UpdatedAt = now;
        await WriteStateAsync();
        await CancelArmedAsync(now, $"paused by {by} before its instant");
        RefreshDue(now);
        return Status(now);
    }

    /// <summary>Ends a pause whose resume time has come; true when it did (the state is written).</summary>
    private async Task<bool> ResumeIfDueAsync(DateTimeOffset now)
    {
        if (state.State.Pause is not { ResumeAt: { } at } || at > now)
        {
            return false;
        }

        state.State.Pause = null;
        state.State.UpdatedAt = now;
        await WriteStateAsync();
        LogResumed(logger, Key, at);
        return true;
    }

    public async Task<ScheduleStatus> ResumeAsync()
    {
        RequireDefinition();
        var now = clock.GetUtcNow();
        state.State.Pause = null;
        state.State.UpdatedAt = now;
        await WriteStateAsync();
        RefreshDue(now);
        return Status(now);
    }

    public async Task<string> TriggerAsync(string by)
    {
        ArgumentException.ThrowIfNullOrEmpty(by);
        RequireDefinition();
        var now = clock.GetUtcNow();
        var ids = await FireAsync([new PlannedRun(now, RunTrigger.Manual)], [], marker: null, now, manualBy: by);
        LogTriggered(logger, Key, by);
        return ids[0];
    }

    public async Task<int> BackfillAsync(DateTimeOffset from, DateTimeOffset to, string by)
    {
        ArgumentException.ThrowIfNullOrEmpty(by);
        RequireDefinition();
        var now = clock.GetUtcNow();
        if (to < from)
        {
            throw new NodeDbException(ErrorCodes.InvalidDefinition, $"Backfill range is empty: --to {to:O} lies before --from {from:O}.");
        }

        if (to > now)
        {
            throw new NodeDbException(ErrorCodes.InvalidDefinition, $"Backfill --to {to:O} lies in the future (now is {now:O}); the scheduler fires those itself.");
        }

        const int limit = 1000;
        var occurrences = _cron!.Between(from, to, fromInclusive: true).Take(limit + 1).ToList();
        if (occurrences.Count > limit)
        {
            throw new NodeDbException(ErrorCodes.InvalidDefinition, $"Backfill from {from:O} to {to:O} covers more than {limit} occurrences; split the range.");
        }

        var runs = occurrences.Select(o => new PlannedRun(o, RunTrigger.Backfill)).ToList();
        if (runs.Count > 0)
        {
            await FireAsync(runs, [], marker: null, now, manualBy: by);
            LogBackfilled(logger, Key, runs.Count, from, to, by);
        }

        return runs.Count;
    }

    public async Task TickAsync()
    {
        var now = clock.GetUtcNow();
        if (Definition is not { } definition)
        {
            ticker.Remove(Key);
            return;
        }

        if (handOff.SurvivorFor(Key) is { } survivor)
        {
            // This silo is stopping: fire nothing here; go to a survivor with whatever is armed and not started.
            await LeaveAsync(survivor);
            return;
        }

        await ResumeIfDueAsync(now);
        RecordHost();

        await SettleOrphansAsync(now);
        await FlushOutboxAsync();
        if (!definition.Enabled)
        {
            RefreshDue(now);
            return;
        }

        var plan = OccurrencePlanner.Plan(_cron!, state.State.LastFired, now, Rules(definition));
        if (!plan.IsEmpty)
        {
            await FireAsync(plan.Runs, MissedRows(definition, plan, now), plan.Marker, now, manualBy: null);
        }

        if (MayArmAhead() && ArmAhead(definition, now) is { } armed)
        {
            await FireAsync(armed.Runs, [], armed.Marker, now, manualBy: null);
        }
        else if (plan.IsEmpty)
        {
            // A poke that found nothing to fire or arm (a wake after a silo died or at cluster start, a recheck):
            // let the activation go again, as after a reminder tick, so waking 100,000 schedules does not leave
            // 100,000 activations behind for Orleans' collection age.
            RefreshDue(now);
            ReleaseWhenIdle();
        }
    }

    /// <summary>
    /// Deactivates this activation once its turn ends when nothing is in flight or waiting, keeping its tick-index
    /// entry (<see cref="OnDeactivateAsync"/>): the poke at its due instant activates it again.
    /// </summary>
    private void ReleaseWhenIdle()
    {
        if (state.State.InFlight.Count == 0 && state.State.Backlog.Count == 0)
        {
            _releasingIdle = true;
            DeactivateOnIdle();
        }
    }

    /// <summary>Whether an occurrence may be claimed before its instant: nothing that the instant itself could change is in the way.</summary>
    private bool MayArmAhead() =>
        _options.ArmAhead > TimeSpan.Zero
        && state.State.Pause is null
        && _guardError is null
        && state.State.Backlog.Count == 0
        && (state.State.InFlight.Count == 0 || Definition!.Overlap == OverlapPolicy.Allow);

    /// <summary>
    /// The next occurrence when it falls within <see cref="SchedulerOptions.ArmAhead"/>: claimed now, started by the
    /// dispatcher at its instant. Null when there is none, or when planning it at its instant would give anything but
    /// one plain run (something counted as missed, a catch-up covering several): those are planned at their instant.
    /// </summary>
    private FiringPlan? ArmAhead(ScheduleDefinition definition, DateTimeOffset now)
    {
        if (state.State.LastFired is null
            || OccurrencePlanner.NextDue(_cron!, state.State.LastFired, now, Rules(definition)) is not { } next
            || next <= now
            || next > now + _options.ArmAhead)
        {
            return null;
        }

        var plan = OccurrencePlanner.Plan(_cron!, state.State.LastFired, next, Rules(definition));
        return plan is { MissedCount: 0, Runs: [{ Count: 1, Trigger: RunTrigger.Cron } run] } && run.ScheduledAt == next ? plan : null;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (Definition is null || !Definition.Enabled)
        {
            await SyncReminderAsync();
            return;
        }

        if (status.Period != _options.ReminderPeriod)
        {
            // Registered under another ReminderPeriod (an older version or setting): move it to the current one.
            await SyncReminderAsync();
        }

        var now = clock.GetUtcNow();
        await ResumeIfDueAsync(now);
        await SettleOrphansAsync(now);
        RefreshDue(now);

        // The reminder only checks: let the activation go again rather than hold it for Orleans' collection age.
        ReleaseWhenIdle();
    }

    /// <summary>Refuses the edit when the caller said which version it read (<see cref="EditPrecondition"/>) and this is not it.</summary>
    private void CheckEditPrecondition()
    {
        if (RequestContext.Get(EditPrecondition.Key) is long expected && expected != state.State.UpdatedAt.UtcTicks)
        {
            throw new NodeDbException(
                ErrorCodes.EditConflict,
                Definition is null
                    ? $"Schedule '{Key}' no longer exists: it was dropped after you read it."
                    : $"Schedule '{Key}' changed since you read it (it was updated at {state.State.UpdatedAt:O}): read it again and redo the edit.");
        }
    }

    private ScheduleDefinition RequireDefinition() =>
        Definition ?? throw new NodeDbException(ErrorCodes.NotFound, $"Schedule '{Key}' does not exist.");

    private void LoadDefinition(ScheduleDefinition definition, CronSchedule? cron = null)
    {
        _cron = cron ?? CronSchedule.Parse(definition.Cron, definition.TimeZone, settings.DefaultZone);
        try
        {
            var body = SqlBody.Parse(definition.Body);
            _group = settings.Routing.GroupOf(definition.Target ?? body.InferTargetCollection());
            _guardError = BodyGuard.Check(body);
        }
        catch (NodeDbException e)
        {
            // A body stored by an older version that no longer parses fails each run with the reason, visibly.
            _group = settings.Routing.GroupOf(definition.Target);
            _guardError = e.Message;
        }
    }

    private PlanningRules Rules(ScheduleDefinition definition) => ScheduleCreation.Rules(definition, _options);

    private void RefreshDue(DateTimeOffset now)
    {
        PublishSummary(now);
        if (Definition is not { Enabled: true } definition)
        {
            // Disabled fires nothing, and its reminder is gone; runs left in flight (by a dead silo, or whose completion
            // was lost) must still be settled.
            ticker.SetDue(Key, state.State.InFlight.Count > 0 || state.State.Backlog.Count > 0 ? now + TimeSpan.FromSeconds(10) : UnflushedRecheck(null, now));
            return;
        }

        DateTimeOffset? due = state.State.Backlog.Count > 0 && state.State.InFlight.Count == 0
            ? now
            : OccurrencePlanner.NextDue(_cron!, state.State.LastFired, now, Rules(definition));
        if (state.State.Pause is { ResumeAt: { } resumeAt } && (due is null || resumeAt < due))
        {
            // A timed pause ends at its instant even when no occurrence falls due then.
            due = resumeAt;
        }

        if (state.State.InFlight.Count > 0)
        {
            // Runs in flight: look again soon, so a silo that died with one, or a completion that could not be delivered
            // (parked in its dispatcher), is noticed without waiting for the reminder.
            var recheck = now + TimeSpan.FromSeconds(10);
            due = due is null || due > recheck ? recheck : due;
        }

        ticker.SetDue(Key, UnflushedRecheck(due, now));
    }

    /// <summary>
    /// With history rows not yet appended (history was down at the last try), looks again within
    /// <see cref="OutboxRetry"/> instead of at the next occurrence, which for a disabled or daily schedule may be never
    /// or tomorrow: the rows are safe in the state, but history would not show them until then.
    /// </summary>
    private DateTimeOffset? UnflushedRecheck(DateTimeOffset? due, DateTimeOffset now)
    {
        if (state.State.Outbox.Count == 0 && state.State.Spill is null)
        {
            return due;
        }

        var retry = now + OutboxRetry;
        return due is null || due > retry ? retry : due;
    }

    private async Task SyncReminderAsync()
    {
        // The wake registry lets survivors re-activate this schedule seconds after its silo dies; the reminder
        // stays as the backstop for anything the registry misses.
        var wake = GrainFactory.Get<IScheduleWakeShardGrain>(WakeShards.ShardOf(Key));
        if (Definition is { Enabled: true })
        {
            await this.RegisterOrUpdateReminder(ReminderName, _options.ReminderPeriod, _options.ReminderPeriod);
            await wake.RegisterAsync(Key, WakeHost());
            _hostRecorded = true;
            return;
        }

        if (await this.GetReminder(ReminderName) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }

        await wake.RemoveAsync(Key);
        _hostRecorded = false;
    }

    /// <summary>
    /// Records this silo as the schedule's host in the wake registry, once per activation, so that this silo's death
    /// wakes it (and the death of a silo it no longer lives on does not).
    /// </summary>
    /// <remarks>
    /// In the background, never awaited by the turn: when the schedule moved it is a write of the registry shard, and a
    /// shard that is itself moving (a rolling restart stops the silo it lived on) can take seconds to answer, during
    /// which this non-reentrant grain would neither tick nor dispatch (measured in S6: occurrences 5 s late). A failure
    /// is retried at the next tick. Until the record is written the registry may name the silo the schedule lived on
    /// before; if this one dies meanwhile, its reminder wakes it.
    /// </remarks>
    private void RecordHost()
    {
        if (_hostRecorded || _recordingHost || Definition is not { Enabled: true })
        {
            return;
        }

        _recordingHost = true;
        _ = RecordHostAsync(WakeHost());
    }

    private async Task RecordHostAsync(string host)
    {
        try
        {
            await GrainFactory.Get<IScheduleWakeShardGrain>(WakeShards.ShardOf(Key)).RegisterAsync(Key, host);
            _hostRecorded = host == WakeHost();
        }
        catch (Exception e)
        {
            LogHostNotRecorded(logger, e, Key, host);
        }
        finally
        {
            _recordingHost = false;
        }
    }

    /// <summary>
    /// What the wake registry records as this schedule's host: this silo, or, for SCOPE LOCAL, any silo
    /// (<see cref="IScheduleWakeShardGrain.AnyHost"/>), since its runs execute on every silo and any silo's death
    /// leaves it a run to settle.
    /// </summary>
    private string WakeHost() =>
        Definition is { Scope: ScheduleScope.Local } ? IScheduleWakeShardGrain.AnyHost : localSilo.SiloAddress.ToParsableString();

    private async Task WriteStateAsync()
    {
        try
        {
            var started = instruments.Timestamp();
            await Timed("state write", state.WriteStateAsync());
            instruments.ClaimWritten(started);
            if (Definition is null)
            {
                // Dropped: its summary goes with it (every other change is published by RefreshDue, which follows it).
                PublishSummary(clock.GetUtcNow());
            }
        }
        catch (Exception e)
        {
            // The in-memory state may now be ahead of storage (a conflict means another activation owns the
            // schedule). Drop this activation so the next call reloads what storage holds; never fire from it.
            LogWriteFailed(logger, e, Key);
            DeactivateOnIdle();
            throw;
        }
    }

    private ScheduleStatus Status(DateTimeOffset now)
    {
        var definition = Definition!;
        DateTimeOffset? next = null;
        if (definition.Enabled && state.State.Pause is { ResumeAt: { } resumeAt } && _cron is not null)
        {
            // A timed pause: the first occurrence at or after the resume time (an occurrence at that instant fires).
            next = _cron.NextAfter(resumeAt - TimeSpan.FromTicks(1)) is { } first ? _cron.Zone.ToLocal(first) : null;
        }
        else if (definition.Enabled && state.State.Pause is null && _cron is not null)
        {
            var anchor = state.State.LastFired is { } last && last > now ? last : now;
            // An occurrence armed ahead (claimed, waiting for its instant) is still the next run.
            var armed = state.State.InFlight.Where(r => r.ScheduledAt > now).Select(r => r.ScheduledAt).Min();
            next = (armed ?? OccurrencePlanner.NextDue(_cron, anchor, now, Rules(definition))) is { } due ? _cron.Zone.ToLocal(due) : null;
        }

        return new ScheduleStatus
        {
            Definition = definition,
            Pause = state.State.Pause,
            LastFired = state.State.LastFired,
            NextRun = next,
            InFlight = [.. state.State.InFlight, .. state.State.Backlog.Select(b => b with { Buffered = true })],
            LastStatus = state.State.LastStatus,
            CreatedAt = state.State.CreatedAt,
            UpdatedAt = state.State.UpdatedAt,
            LastFinishedAt = state.State.LastFinishedAt,
            HistoryPending = state.State.Outbox.Count > 0 || state.State.Spill is { IsEmpty: false },
        };
    }

    /// <summary>
    /// Sends the outbox to history. The common case (no spill, under the cap) is an append the turn waits for only
    /// <see cref="SchedulerOptions.HistoryWait"/> (200 ms): history slower than that (a busy tenant history grain, one
    /// moving off a stopping silo: seen holding turns for 1.3 s under load) finishes in the background, so the schedule
    /// arms and fires its next occurrence meanwhile instead of starting it late. One append at a time; what arrives
    /// meanwhile goes with the next.
    /// </summary>
    private async Task FlushOutboxAsync()
    {
        var started = infrastructureTime.GetTimestamp();
        while (_appending is { IsCompleted: false } earlier)
        {
            // An earlier turn's append (or the one it chained) still under way: wait for it within the same budget.
            if (!await WithinHistoryWaitAsync(earlier, started))
            {
                return;
            }
        }

        if ((state.State.Outbox.Count == 0 && state.State.Spill is null) || Definition is null)
        {
            return;
        }

        if (state.State.Spill is null && state.State.Outbox.Count <= _options.OutboxCap)
        {
            var append = AppendInBackgroundAsync([.. state.State.Outbox]);
            _appending = append;
            await WithinHistoryWaitAsync(append, started);
            return;
        }

        // Bounded while history is down: past OutboxCap rows the outbox spills to chunk grains (HistoryOutbox).
        var pending = state.State.Outbox.Count;
        if (await Timed("history append", History.HistoryOutbox.FlushAsync(
                GrainFactory, Key, state.State, _options.OutboxCap, _options.HistoryKeepPerSchedule, WriteStateAsync, row => instruments.RunRecorded(row)))
            is { } failure)
        {
            LogHistoryAppendFailed(logger, failure, Key, pending);
        }
    }

    /// <summary>Waits for a history append until <see cref="SchedulerOptions.HistoryWait"/> after <paramref name="started"/>; false when that ran out.</summary>
    private async Task<bool> WithinHistoryWaitAsync(Task append, long started)
    {
        var left = _options.HistoryWait - infrastructureTime.GetElapsedTime(started);
        if (left <= TimeSpan.Zero)
        {
            return append.IsCompleted;
        }

        try
        {
            await append.WaitAsync(left, infrastructureTime);
            return true;
        }
        catch (TimeoutException)
        {
            // Still under way: it takes its rows out of the outbox when it ends, on this activation's scheduler.
            return false;
        }
    }

    private async Task AppendInBackgroundAsync(ImmutableArray<RunRecord> rows)
    {
        if (await History.HistoryOutbox.TryAppendOutboxAsync(GrainFactory, rows, () => state.State, row => instruments.RunRecorded(row)) is { } failure)
        {
            // The rows stay in the outbox (and in the stored state): the next turn, or the recheck, sends them again.
            LogHistoryAppendFailed(logger, failure, Key, rows.Length);
            return;
        }

        // Rows that arrived while this append was under way go next, without waiting for a turn (this runs on the
        // activation's scheduler, between turns).
        if (Definition is not null && state.State.Spill is null && state.State.Outbox.Count is > 0 and var count && count <= _options.OutboxCap)
        {
            _appending = AppendInBackgroundAsync([.. state.State.Outbox]);
        }
    }

    /// <summary>
    /// Awaits a call the schedule's turn depends on, and warns when it held the turn longer than <see cref="SlowStep"/>:
    /// a schedule waiting on storage, history or another silo fires nothing meanwhile, and the warning names the wait.
    /// </summary>
    private async Task Timed(string step, Task call)
    {
        var started = infrastructureTime.GetTimestamp();
        try
        {
            await call;
        }
        finally
        {
            WarnIfSlow(step, started);
        }
    }

    /// <inheritdoc cref="Timed(string, Task)"/>
    private async Task<T> Timed<T>(string step, Task<T> call)
    {
        var started = infrastructureTime.GetTimestamp();
        try
        {
            return await call;
        }
        finally
        {
            WarnIfSlow(step, started);
        }
    }

    private void WarnIfSlow(string step, long started)
    {
        var took = infrastructureTime.GetElapsedTime(started);
        if (took >= SlowStep)
        {
            LogSlowStep(logger, Key, step, took.TotalMilliseconds);
        }
    }
}
