using System.Collections.Concurrent;
using NodeDb.Orleans.Grains.Running;

namespace NodeDb.Orleans.Tests.Cluster;

/// <summary>
/// A job runner for tests of the firing pipeline: it records every request, can hold runs of chosen schedules until
/// released, and keeps a ledger of committed run ids the way the SQL runners do. SQL itself is tested against
/// real SQLite and PostgreSQL elsewhere.
/// </summary>
public sealed class ScriptedJobRunner : IJobRunner
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _gates = new();
    private readonly ConcurrentDictionary<string, byte> _ledger = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _started = new();

    public ConcurrentQueue<JobRequest> Requests { get; } = new();

    public IReadOnlyList<JobRequest> RequestsOf(string tenant, string schedule) =>
        Requests.Where(r => r.Tenant == tenant && r.Schedule == schedule).ToList();

    /// <summary>Holds every run of the schedule until <see cref="Release"/>.</summary>
    public void Hold(string schedule) => _gates[schedule] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release(string schedule)
    {
        if (_gates.TryRemove(schedule, out var gate))
        {
            gate.TrySetResult();
        }
    }

    /// <summary>Marks a run id committed, as a run that finished before its silo died would be.</summary>
    public void MarkCommitted(string runId) => _ledger[runId] = 0;

    /// <summary>Completes when a run of the schedule has reached the runner (dispatch happens off the grain's turn).</summary>
    public Task WhenStartedAsync(string schedule) =>
        _started.GetOrAdd(schedule, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously))
            .Task.WaitAsync(TimeSpan.FromSeconds(30));

    public async Task<JobOutcome> RunAsync(JobRequest request, CancellationToken cancellationToken)
    {
        Requests.Enqueue(request);
        if (cancellationToken.IsCancellationRequested)
        {
            // As the SQL runner: a run cancelled before it reached the database never touches it.
            return new JobOutcome(RunStatus.Cancelled, 1);
        }

        _started.GetOrAdd(request.Schedule, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        if (_gates.TryGetValue(request.Schedule, out var gate))
        {
            try
            {
                await gate.Task.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return new JobOutcome(RunStatus.Cancelled, 1);
            }
        }

        _ledger[request.RunId] = 0;
        return JobOutcome.Succeeded(1);
    }

    /// <summary>Every run id the scheduler asked the ledger about: the failure path's footprint.</summary>
    public ConcurrentQueue<string> Probes { get; } = new();

    public Task<bool?> WasCommittedAsync(string tenant, string runId, CancellationToken cancellationToken)
    {
        Probes.Enqueue(runId);
        return Task.FromResult<bool?>(_ledger.ContainsKey(runId));
    }

    public void ValidateBody(string tenant, string body)
    {
    }
}
