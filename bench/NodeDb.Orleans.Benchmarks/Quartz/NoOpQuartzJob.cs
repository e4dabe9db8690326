using NodeDb.Orleans.Benchmarks.Measuring;
using Quartz;

namespace NodeDb.Orleans.Benchmarks.Quartz;

/// <summary>Does nothing but record when it started against the trigger's scheduled fire time.</summary>
public sealed class NoOpQuartzJob(LatenessRecorder recorder) : IJob
{
    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var startedAt = DateTimeOffset.UtcNow;
        if (context.ScheduledFireTimeUtc is { } scheduledAt)
        {
            recorder.Record(context.JobDetail.Key.Name, scheduledAt, startedAt);
        }

        return ValueTask.CompletedTask;
    }
}
