using System.Collections.Immutable;
using NodeDb.Orleans.Grains.Running;
using NodeDb.Orleans.Grains.Scheduling;

namespace NodeDb.Orleans.Grains.Schedules;

public sealed partial class ScheduleGrain
{
    /// <summary>
    /// The pipeline of DESIGN §5 for planned runs: pause, health gate, overlap, claim (state write with the
    /// ETag), dispatch, record. Returns the ids of the runs it started or queued.
    /// </summary>
    private async Task<ImmutableArray<string>> FireAsync(
        IReadOnlyList<PlannedRun> planned, IReadOnlyList<RunRecord> rows, DateTimeOffset? marker, DateTimeOffset now, string? manualBy)
    {
        var definition = Definition!;
        var records = new List<RunRecord>(rows);
        var toStart = new List<InFlightRun>();
        var ids = ImmutableArray.CreateBuilder<string>();
        var runs = planned.Select(p => ToInFlight(definition, p, now)).ToList();

        if (runs.Count > 0)
        {
            if (state.State.Pause is { } pause && manualBy is null)
            {
                var reason = $"paused by {pause.By} at {pause.At:O}" + (pause.Note is null ? "" : $": {pause.Note}");
                records.AddRange(runs.Select(r => Row(r, RunStatus.Skipped, now, reason)));
            }
            else if (_guardError is { } guard)
            {
                records.AddRange(runs.Select(r => Row(r, RunStatus.Failed, now, "body rejected at fire time") with { Error = guard }));
            }
            else if (definition.Scope == ScheduleScope.Normal
                     && await Timed("health check", healthGate.CheckAsync(_group)) is { MayFire: false } verdict)
            {
                records.AddRange(runs.Select(r => Row(r, RunStatus.Skipped, now, verdict.Reason)));
            }
            else
            {
                await ApplyOverlapAsync(definition, runs, records, toStart, now);
            }
        }

        if (marker is { } newMarker)
        {
            state.State.LastFired = newMarker;
        }

        toStart = FanOut(definition, toStart);

        // The ids of what this call created, in order: rows written at once, runs started (one per silo for SCOPE LOCAL,
        // so a manual trigger returns an id that history will show), runs waiting behind them.
        var plannedIds = runs.Select(r => r.RunId).ToHashSet(StringComparer.Ordinal);
        ids.AddRange(records.Select(r => r.RunId)
            .Concat(toStart.Select(r => r.RunId))
            .Concat(state.State.Backlog.Select(r => r.RunId))
            .Where(id => plannedIds.Contains(id) || (id.IndexOf('@', StringComparison.Ordinal) is > 0 and var at && plannedIds.Contains(id[..at]))));
        state.State.Outbox.AddRange(records);
        state.State.InFlight.AddRange(toStart);

        // The claim: nothing runs before this write succeeds; a conflict means another activation owns the schedule.
        await WriteStateAsync();
        await DispatchAsync(toStart, now);
        await FlushOutboxAsync();
        RefreshDue(now);
        return ids.ToImmutable();
    }

    private async Task ApplyOverlapAsync(
        ScheduleDefinition definition, List<InFlightRun> runs, List<RunRecord> records, List<InFlightRun> toStart, DateTimeOffset now)
    {
        if (definition.Overlap != OverlapPolicy.Allow)
        {
            await CollectEndedElsewhereAsync(now);
        }

        var busy = state.State.InFlight.Count > 0;
        switch (definition.Overlap)
        {
            case OverlapPolicy.Skip when busy:
                var running = state.State.InFlight[0].RunId;
                records.AddRange(runs.Select(r => Row(r, RunStatus.Skipped, now, $"overlap: run {running} still in flight (OVERLAP = SKIP)")));
                return;
            case OverlapPolicy.BufferOne when busy:
                if (state.State.Backlog.Count == 0)
                {
                    state.State.Backlog.Add(runs[^1]);
                    runs.RemoveAt(runs.Count - 1);
                    records.AddRange(runs.Select(r => Row(r, RunStatus.Skipped, now, "overlap: a newer occurrence took the buffer (OVERLAP = BUFFER_ONE)")));
                }
                else
                {
                    var held = state.State.Backlog[0].RunId;
                    records.AddRange(runs.Select(r => Row(r, RunStatus.Skipped, now, $"overlap: the buffer already holds {held} (OVERLAP = BUFFER_ONE)")));
                }

                return;
            case OverlapPolicy.CancelPrevious when busy:
                foreach (var run in state.State.InFlight)
                {
                    await CancelRunAsync(run, $"cancelled by newer run {runs[0].RunId} (OVERLAP = CANCEL_PREVIOUS)");
                }

                records.AddRange(state.State.Backlog.Select(r => Row(r, RunStatus.Cancelled, now, "cancelled while waiting (OVERLAP = CANCEL_PREVIOUS)")));
                state.State.Backlog.Clear();
                break;
        }

        // Several occurrences in one observation (a queue's replays, a late tick) run one after another, in order.
        toStart.Add(runs[0]);
        state.State.Backlog.AddRange(runs.Skip(1));
    }

    /// <summary>
    /// Before an overlap policy counts a run on another silo as still in flight, asks that silo: a run that has ended
    /// there but whose completion is still on its way (a stopping silo ran the run it kept, and the schedule has moved
    /// here meanwhile) is settled with that completion, so the next occurrence is not skipped or buffered behind a run
    /// that is over. A silo that does not answer promptly leaves the run in flight, as before.
    /// </summary>
    private async Task CollectEndedElsewhereAsync(DateTimeOffset now)
    {
        foreach (var run in state.State.InFlight.Where(r => r is { HandedOff: false, Silo: not null } && r.Silo != dispatcher.SiloName).ToList())
        {
            DispatchReport? report;
            try
            {
                report = await GrainFactory.GetGrain<ISiloRunnerGrain>(run.Silo!)
                    .FindAsync(Key, run.RunId, run.Dispatch)
                    .WaitAsync(AskElsewhereLimit, infrastructureTime);
            }
            catch (Exception e)
            {
                LogDispatchFailed(logger, e, run.RunId, run.Silo!);
                continue;
            }

            if (report is { Completion: { } ended, Phase: RunPhase.Finishing or RunPhase.Parked })
            {
                Settle(run, ended, now);
                if (report.Phase == RunPhase.Parked)
                {
                    await ForgetAsync(run);
                }
            }
        }
    }

    /// <summary>SCOPE LOCAL: one run per active silo, each with its own id and silo; NORMAL: the run stays here.</summary>
    private List<InFlightRun> FanOut(ScheduleDefinition definition, List<InFlightRun> runs)
    {
        if (definition.Scope != ScheduleScope.Local || runs.Count == 0)
        {
            return runs;
        }

        var silos = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active)
            .Select(m => m.SiloAddress.ToParsableString())
            .Order(StringComparer.Ordinal)
            .ToList();
        // A run that already names its silo (recovered from a silo that died) runs once, under its own id.
        return [.. runs.SelectMany(r => r.PerSilo
            ? [r]
            : silos.Select(s => r with { RunId = RunIds.OnSilo(r.RunId, s), Silo = s, PerSilo = true, Dispatch = NewDispatch() }))];
    }

    private async Task DispatchAsync(List<InFlightRun> runs, DateTimeOffset now)
    {
        var refused = new List<RunRecord>();
        var leavingFor = handOff.SurvivorFor(Key);
        var handedOff = 0;
        foreach (var run in runs)
        {
            var ticket = Ticket(run);
            if (run.Silo == dispatcher.SiloName && leavingFor is not null)
            {
                // This silo is stopping: the run is not started here but goes with the schedule to a survivor.
                var at = state.State.InFlight.IndexOf(run);
                if (at >= 0)
                {
                    state.State.InFlight[at] = run with { HandedOff = true };
                    handedOff++;
                }

                continue;
            }

            if (run.Silo == dispatcher.SiloName)
            {
                if (!dispatcher.TryAccept(ticket))
                {
                    refused.Add(Refused(run, now));
                }

                continue;
            }

            try
            {
                if (!await Timed("remote start", GrainFactory.GetGrain<ISiloRunnerGrain>(run.Silo!).StartAsync(ticket)))
                {
                    refused.Add(Refused(run, now));
                }
            }
            catch (Exception e)
            {
                // The call failed or timed out: the run may have started there. It stays in flight; the recheck asks that
                // silo where it stands (FindAsync), and the ledger settles it if that silo is gone or never got it.
                LogDispatchFailed(logger, e, run.RunId, run.Silo ?? "");
            }
        }

        if (refused.Count > 0)
        {
            state.State.Outbox.AddRange(refused);
            state.State.LastStatus = RunStatus.Rejected;
        }

        if (refused.Count > 0 || handedOff > 0)
        {
            await WriteStateAsync();
        }

        if (handedOff > 0)
        {
            MoveTo(leavingFor!);
        }
    }

    /// <summary>A silo that is stopping takes no run: recorded Rejected, the slot being gone with the silo.</summary>
    private RunRecord Refused(InFlightRun run, DateTimeOffset now)
    {
        state.State.InFlight.Remove(run);
        return Row(run, RunStatus.Rejected, now, $"silo {run.Silo} was stopping and took no new run");
    }

    public async Task CompleteRunAsync(RunCompletion completion)
    {
        ArgumentNullException.ThrowIfNull(completion);
        var run = state.State.InFlight.Find(r => r.RunId == completion.RunId && r.Dispatch == completion.Dispatch);
        if (run is null || Definition is null)
        {
            // Already settled (recovery, drop), or the completion of an older dispatch of a run dispatched again: the
            // outcome recorded for the current dispatch stands.
            return;
        }

        Settle(run, completion, clock.GetUtcNow());
        await StartBacklogAsync(clock.GetUtcNow());
    }

    /// <summary>Moves a run from in flight to the outbox with the outcome its dispatcher reported.</summary>
    private void Settle(InFlightRun run, RunCompletion completion, DateTimeOffset now)
    {
        var reason = completion.Reason;
        if (reason is null && completion.Waited >= TimeSpan.FromMilliseconds(1) && completion.Status != RunStatus.Rejected)
        {
            reason = string.Create(
                System.Globalization.CultureInfo.InvariantCulture,
                $"waited {completion.Waited.TotalMilliseconds:0} ms in silo {completion.Silo}'s run queue for a slot");
        }

        state.State.InFlight.Remove(run);
        state.State.Outbox.Add(Row(run, completion.Status, now, reason) with
        {
            // A run refused or cancelled before it started never started.
            StartedAt = completion.Attempt == 0 ? null : completion.StartedAt,
            FinishedAt = completion.FinishedAt,
            Error = completion.Error,
            Attempt = completion.Attempt,
            Silo = completion.Silo,
        });
        state.State.LastStatus = completion.Status;
        state.State.LastFinishedAt = completion.FinishedAt;
    }

    /// <summary>Starts the next waiting run once nothing blocks it, and persists whatever changed.</summary>
    private async Task StartBacklogAsync(DateTimeOffset now)
    {
        var next = new List<InFlightRun>();
        if (state.State.Backlog.Count > 0 && (state.State.InFlight.Count == 0 || Definition!.Overlap == OverlapPolicy.Allow))
        {
            var run = state.State.Backlog[0] with { ClaimedAt = now, Buffered = false, Silo = dispatcher.SiloName, Dispatch = NewDispatch() };
            state.State.Backlog.RemoveAt(0);
            next = FanOut(Definition!, [run]);
            state.State.InFlight.AddRange(next);
        }

        await WriteStateAsync();
        await DispatchAsync(next, now);
        await FlushOutboxAsync();
        RefreshDue(now);
    }

    private async Task CancelRunAsync(InFlightRun run, string reason, bool onlyBeforeStart = false)
    {
        try
        {
            if (run.Silo == dispatcher.SiloName)
            {
                dispatcher.Cancel(new RunKey(Key, run.RunId), reason, onlyBeforeStart);
            }
            else if (run.Silo is not null)
            {
                await GrainFactory.GetGrain<ISiloRunnerGrain>(run.Silo).CancelAsync(Key, run.RunId, reason, onlyBeforeStart);
            }
        }
        catch (Exception e)
        {
            // The run's own timeout still bounds it; its completion records whatever it became.
            LogDispatchFailed(logger, e, run.RunId, run.Silo ?? "");
        }
    }

    private InFlightRun ToInFlight(ScheduleDefinition definition, PlannedRun run, DateTimeOffset now) => new()
    {
        RunId = run.Trigger is RunTrigger.Manual or RunTrigger.Backfill
            ? RunIds.ForRequest(definition.Name, run.Trigger, run.ScheduledAt)
            : RunIds.ForOccurrence(definition.Name, state.State.Generation, run.ScheduledAt),
        ScheduledAt = run.ScheduledAt,
        ClaimedAt = now,
        Silo = dispatcher.SiloName,
        Trigger = run.Trigger,
        CoversFrom = run.CoversFrom,
        Count = run.Count,
        Dispatch = NewDispatch(),
    };

    /// <summary>A fresh token for a dispatch: a completion settles a run only when it carries the current one.</summary>
    private static string NewDispatch() => Guid.NewGuid().ToString("N")[..16];

    private RunTicket Ticket(InFlightRun run)
    {
        var definition = Definition!;
        return new RunTicket
        {
            ScheduleKey = Key,
            RunId = run.RunId,
            Tenant = definition.Tenant,
            Schedule = definition.Name,
            Body = definition.Body,
            Owner = definition.Owner,
            Timeout = definition.Timeout ?? _options.DefaultTimeout,
            Retries = definition.Retries ?? _options.DefaultRetries,
            ScheduledAt = run.ScheduledAt,
            Trigger = run.Trigger,
            NotBefore = run.ScheduledAt,
            Dispatch = run.Dispatch,
        };
    }

    private RunRecord Row(InFlightRun run, RunStatus status, DateTimeOffset now, string? reason) => new()
    {
        RunId = run.RunId,
        Tenant = Definition!.Tenant,
        Schedule = Definition.Name,
        Status = status,
        Trigger = run.Trigger,
        ScheduledAt = run.ScheduledAt,
        CoversFrom = run.CoversFrom,
        Count = run.Count,
        Reason = reason,
        Silo = run.Silo,
        Owner = Definition.Owner,
        RecordedAt = now,
    };

    private List<RunRecord> MissedRows(ScheduleDefinition definition, FiringPlan plan, DateTimeOffset now)
    {
        var reason = definition.Missed == MissedPolicy.Queue
            ? $"missed: older than the queue cap of {definition.QueueCap ?? _options.DefaultQueueCap} (MISSED = QUEUE)"
            : $"missed: not fired within {_options.Grace.TotalSeconds:0.#} s of its time (MISSED = SKIP)";
        var rows = plan.Missed
            .Select(o => Row(ToInFlight(definition, new PlannedRun(o, RunTrigger.Cron), now), RunStatus.Missed, now, reason) with { Silo = null })
            .ToList();
        if (plan.MissedBeyondCap is { } range)
        {
            var first = ToInFlight(definition, new PlannedRun(range.To, RunTrigger.Cron, range.From, range.Count), now);
            rows.Add(Row(first with { RunId = first.RunId + ".missed-range" }, RunStatus.Missed, now,
                $"{reason}; {range.Count} occurrences from {range.From:O} to {range.To:O} in this row") with { Silo = null });
        }

        return rows;
    }
}
