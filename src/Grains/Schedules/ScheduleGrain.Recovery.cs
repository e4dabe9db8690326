namespace NodeDb.Orleans.Grains.Schedules;

public sealed partial class ScheduleGrain
{
    /// <summary>
    /// Settles runs left in flight by a silo that is gone: the tenant's run ledger says whether each committed.
    /// Committed → Succeeded (recovered), never run again. Absent → it had no effect and runs again, unless the
    /// schedule's missed policy says an occurrence that old is skipped.
    /// </summary>
    private async Task SettleOrphansAsync(DateTimeOffset now)
    {
        var changed = false;
        foreach (var run in state.State.InFlight.ToList())
        {
            if (IsStillRunning(run))
            {
                continue;
            }

            bool? committed;
            try
            {
                committed = await runner.WasCommittedAsync(Definition!.Tenant, run.RunId, CancellationToken.None);
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
                state.State.Backlog.Insert(0, run with { Silo = dispatcher.SiloName });
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

    private bool IsStillRunning(InFlightRun run)
    {
        if (run.Silo == dispatcher.SiloName)
        {
            return dispatcher.IsRunning(run.RunId);
        }

        if (run.Silo is null)
        {
            return false;
        }

        var status = membership.CurrentSnapshot.GetSiloStatus(SiloAddress.FromParsableString(run.Silo));
        return status is SiloStatus.Active or SiloStatus.Joining or SiloStatus.Created or SiloStatus.ShuttingDown or SiloStatus.Stopping;
    }
}
