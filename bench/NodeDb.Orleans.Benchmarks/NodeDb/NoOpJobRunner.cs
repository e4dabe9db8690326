using NodeDb.Orleans.Benchmarks.Measuring;
using NodeDb.Orleans.Grains.Running;

namespace NodeDb.Orleans.Benchmarks.NodeDb;

/// <summary>
/// Runs nothing: records the instant the dispatcher handed the run over, so the scheduler is measured, not SQL.
/// </summary>
public sealed class NoOpJobRunner(LatenessRecorder recorder) : IJobRunner
{
    public Task<JobOutcome> RunAsync(JobRequest request, CancellationToken cancellationToken)
    {
        var startedAt = TimeProvider.System.GetUtcNow();
        if (request.ScheduledAt is { } scheduledAt)
        {
            recorder.Record(request.Schedule, scheduledAt, startedAt);
        }

        return Task.FromResult(JobOutcome.Succeeded(1));
    }

    public Task<bool?> WasCommittedAsync(string tenant, string runId, CancellationToken cancellationToken) => Task.FromResult<bool?>(false);

    public void ValidateBody(string tenant, string body)
    {
    }
}
