using System.Collections.Concurrent;
using NodeDb.Orleans.Grains.Running;
using NodeDb.Orleans.Grains.Sql.Execution;

namespace NodeDb.Orleans.Tests.Sql;

/// <summary>
/// A model of the schedule grain's part of the protocol, so the runner's crash seams can be driven one by one:
/// run, and when the "silo dies" mid-run, settle the run through the ledger (ask, then re-run only if absent).
/// </summary>
/// <remarks>
/// This is not the grain: the runner tests check the runner and the tenant database (effects and ledger rows).
/// The grain's own settlement of a run whose silo died is tested against the real grain, with the real SQL runner
/// and a killed silo, in OrphanSettlementTests and EmbeddedKillRestartTests.
/// </remarks>
internal sealed class RecoveringScheduler(IJobRunner runner)
{
    public ConcurrentDictionary<string, RunRecord> History { get; } = new(StringComparer.Ordinal);

    public int Crashes { get; private set; }

    public async Task<RunRecord> FireAsync(JobRequest request)
    {
        var ct = TestContext.Current.CancellationToken;
        JobOutcome outcome;
        try
        {
            outcome = await runner.RunAsync(request, ct);
        }
        catch (SimulatedCrashException)
        {
            Crashes++;
            outcome = await SettleAsync(request, ct);
        }

        var record = new RunRecord
        {
            RunId = request.RunId,
            Tenant = request.Tenant,
            Schedule = request.Schedule,
            Status = outcome.Status,
            Attempt = outcome.Attempt,
            Error = outcome.Error,
            Reason = outcome.Reason,
            Owner = request.Owner,
        };
        History[request.RunId] = record;
        return record;
    }

    // What a re-activated schedule grain does with the run it finds in flight.
    private async Task<JobOutcome> SettleAsync(JobRequest request, CancellationToken ct) =>
        await runner.WasCommittedAsync(request.Tenant, request.RunId, ct) switch
        {
            true => new JobOutcome(RunStatus.Succeeded, 0, Reason: SqlJobRunner.RecoveredReason),
            false => await runner.RunAsync(request, ct),
            null => throw new InvalidOperationException("the tenant database could not tell; a real grain would retry later"),
        };
}
