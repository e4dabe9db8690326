using NodeDb.Orleans.Grains.Running;
using Orleans.Runtime.Placement;

namespace NodeDb.Orleans.Grains.Schedules;

public sealed partial class ScheduleGrain
{
    /// <summary>A run on another live silo is asked about only once it is this old: younger ones are simply running.</summary>
    private static readonly TimeSpan AskRemoteAfter = TimeSpan.FromSeconds(10);

    /// <summary>How long a decision that asks another silo about a run waits for its answer (<see cref="CollectEndedElsewhereAsync"/>).</summary>
    private static readonly TimeSpan AskElsewhereLimit = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Settles the runs in flight that will never report back. Each run's dispatcher is asked first: a run it still
    /// holds, queues or runs is left alone; one that ended but whose completion could not be delivered is settled with
    /// that completion. Only a run whose dispatcher is gone (its silo died) or does not know it goes to the tenant's run
    /// ledger: committed → Succeeded (recovered), never run again; absent → it had no effect and runs again, unless the
    /// schedule's missed policy says an occurrence that old is skipped.
    /// </summary>
    private async Task SettleOrphansAsync(DateTimeOffset now)
    {
        await RedispatchHandedOffAsync(now);
        var changed = false;
        foreach (var run in state.State.InFlight.ToList())
        {
            if (run.HandedOff)
            {
                // Still on a stopping silo, on its way to a survivor: nobody holds it, by design, and it never started.
                // It must not be taken for an orphan (the ledger would say absent and it would be queued again here).
                continue;
            }

            var report = await LocateAsync(run, now);
            if (report is { Completion: { } parked } && report.Phase == RunPhase.Parked)
            {
                Settle(run, parked, now);
                changed = true;
                await ForgetAsync(run);
                continue;
            }

            if (report is not null)
            {
                continue;
            }

            bool? committed;
            try
            {
                committed = await Timed("ledger probe", runner.WasCommittedAsync(Definition!.Tenant, run.RunId, CancellationToken.None));
            }
            catch (Exception e)
            {
                LogSettleFailed(logger, e, run.RunId);
                committed = null;
            }

            if (committed is null)
            {
                // The database cannot tell now: keep the run in flight and ask again on a later tick.
                continue;
            }

            changed = true;
            state.State.InFlight.Remove(run);
            if (committed.Value)
            {
                state.State.Outbox.Add(Row(run, RunStatus.Succeeded, now, $"recovered: committed before silo {run.Silo} stopped"));
                state.State.LastStatus = RunStatus.Succeeded;
                LogRecovered(logger, run.RunId, "committed");
                continue;
            }

            var current = run.ScheduledAt is { } at && now - at < _options.Grace + _cron!.UnitLength;
            if (run.Trigger != RunTrigger.Cron || current || Definition!.Missed != MissedPolicy.Skip)
            {
                // Run again under the same id, so the ledger still tells whether it committed. A SCOPE LOCAL run already
                // names the silo it stood for: it runs once more, here, never fanned out to every silo again.
                state.State.Backlog.Insert(0, run with { PerSilo = run.PerSilo || Definition!.Scope == ScheduleScope.Local });
                LogRecovered(logger, run.RunId, "absent from the ledger; running it again");
            }
            else
            {
                state.State.Outbox.Add(Row(run, RunStatus.Interrupted, now,
                    $"silo {run.Silo} stopped before the run committed; not run again (MISSED = SKIP)"));
                state.State.LastStatus = RunStatus.Interrupted;
                LogRecovered(logger, run.RunId, "absent from the ledger; recorded as interrupted");
            }
        }

        if (changed || (state.State.Backlog.Count > 0 && state.State.InFlight.Count == 0))
        {
            await StartBacklogAsync(now);
        }
    }

    /// <summary>
    /// The silo stopping hands this schedule over (<see cref="IScheduleRuntimeGrain.HandOffAsync"/>): takes back the runs
    /// its dispatcher has not started, marks them handed off in the state, and migrates to <paramref name="toSilo"/>.
    /// A run already running stays there to its end; its completion finds this schedule wherever it then lives.
    /// </summary>
    public async Task<bool> HandOffAsync(string fromSilo, string toSilo)
    {
        ArgumentException.ThrowIfNullOrEmpty(fromSilo);
        ArgumentException.ThrowIfNullOrEmpty(toSilo);
        if (dispatcher.SiloName != fromSilo || toSilo == fromSilo)
        {
            return false;
        }

        await LeaveAsync(SiloAddress.FromParsableString(toSilo));
        return true;
    }

    /// <summary>
    /// Takes back every run this silo's dispatcher holds for this schedule and has not started, marks them handed off in
    /// the state, and migrates to <paramref name="silo"/>, which dispatches them first thing.
    /// </summary>
    private async Task LeaveAsync(SiloAddress silo)
    {
        var runs = state.State.InFlight;
        var withdrawn = 0;
        for (var i = 0; i < runs.Count; i++)
        {
            // Withdrawn under the dispatcher's lock: a run is either taken back before it starts, or it has started and
            // is left alone. Never both, so it can never run twice.
            if (runs[i].Silo == dispatcher.SiloName && dispatcher.Withdraw(new RunKey(Key, runs[i].RunId), runs[i].Dispatch))
            {
                runs[i] = runs[i] with { HandedOff = true };
                withdrawn++;
            }
        }

        if (withdrawn > 0)
        {
            // Should this write fail, the runs are gone from the dispatcher but the state still places them here: the
            // next activation finds nobody holding them and settles them from the ledger (absent), as after a crash.
            await WriteStateAsync();
        }

        MoveTo(silo);
        LogHandedOff(logger, Key, silo.ToParsableString(), withdrawn);
    }

    /// <summary>Leaves this silo's tick index and migrates to <paramref name="silo"/> once this turn ends.</summary>
    private void MoveTo(SiloAddress silo)
    {
        ticker.Remove(Key);
        if (Definition is null)
        {
            DeactivateOnIdle();
            return;
        }

        // Migration carries the state; the hint names the silo (placement would otherwise be free to pick this one).
        RequestContext.Set(IPlacementDirector.PlacementHintKey, silo);
        MigrateOnIdle();
    }

    /// <summary>Dispatches here, at once and before anything else, the runs a stopping silo handed back (never started).</summary>
    private async Task RedispatchHandedOffAsync(DateTimeOffset now)
    {
        var runs = state.State.InFlight;
        if (handOff.SurvivorFor(Key) is { } survivor)
        {
            // Activated on a silo that is itself stopping: the runs stay handed off, and the schedule moves on.
            if (runs.Any(r => r.HandedOff))
            {
                MoveTo(survivor);
            }

            return;
        }

        var moved = new List<InFlightRun>();
        for (var i = 0; i < runs.Count; i++)
        {
            if (runs[i].HandedOff)
            {
                // Already admitted by the overlap policy when claimed: they are dispatched, not planned again.
                runs[i] = runs[i] with { HandedOff = false, Silo = dispatcher.SiloName, Dispatch = NewDispatch() };
                moved.Add(runs[i]);
            }
        }

        if (moved.Count == 0)
        {
            return;
        }

        // Persisted before dispatching, so a crash from here on finds the run on this silo under its new dispatch.
        await WriteStateAsync();
        await DispatchAsync(moved, now);
    }

    /// <summary>
    /// Where a run in flight stands, from its dispatcher: null when nobody holds it any more (its silo is gone, or the
    /// silo does not know this dispatch), so only the ledger can tell what became of it.
    /// </summary>
    private async Task<DispatchReport?> LocateAsync(InFlightRun run, DateTimeOffset now)
    {
        if (run.Silo == dispatcher.SiloName)
        {
            return dispatcher.Find(new RunKey(Key, run.RunId), run.Dispatch);
        }

        if (run.Silo is null)
        {
            return null;
        }

        var status = membership.CurrentSnapshot.GetSiloStatus(SiloAddress.FromParsableString(run.Silo));
        if (status is SiloStatus.Joining or SiloStatus.Created or SiloStatus.ShuttingDown or SiloStatus.Stopping)
        {
            return new DispatchReport(RunPhase.Running, null);
        }

        if (status is not SiloStatus.Active)
        {
            return null;
        }

        if (now - run.ClaimedAt < AskRemoteAfter)
        {
            return new DispatchReport(RunPhase.Running, null);
        }

        try
        {
            return await Timed("remote find", GrainFactory.GetGrain<ISiloRunnerGrain>(run.Silo).FindAsync(Key, run.RunId, run.Dispatch));
        }
        catch (Exception e)
        {
            // No answer now: the silo is alive by membership, so treat the run as running and ask on the next recheck.
            LogDispatchFailed(logger, e, run.RunId, run.Silo);
            return new DispatchReport(RunPhase.Running, null);
        }
    }

    private async Task ForgetAsync(InFlightRun run)
    {
        if (run.Silo == dispatcher.SiloName)
        {
            dispatcher.Forget(new RunKey(Key, run.RunId), run.Dispatch);
            return;
        }

        try
        {
            await GrainFactory.GetGrain<ISiloRunnerGrain>(run.Silo!).ForgetAsync(Key, run.RunId, run.Dispatch);
        }
        catch (Exception e)
        {
            // Harmless: a parked completion nobody collects only costs that silo a little memory until it restarts.
            LogDispatchFailed(logger, e, run.RunId, run.Silo ?? "");
        }
    }
}
