using Microsoft.Extensions.DependencyInjection;
using NodeDb.Orleans.Benchmarks.Measuring;
using Quartz;

namespace NodeDb.Orleans.Benchmarks.Quartz;

/// <summary>
/// Quartz.NET 4 in this process: RAMJobStore, a thread pool of <c>maxConcurrency</c>, one job and one cron
/// trigger per schedule, every trigger in UTC.
/// </summary>
public sealed class QuartzRig : IAsyncDisposable
{
    private readonly IScheduler _scheduler;

    private QuartzRig(IScheduler scheduler, LatenessRecorder recorder)
    {
        _scheduler = scheduler;
        Starts = recorder;
    }

    public LatenessRecorder Starts { get; }

    /// <param name="maxConcurrency">Jobs that may run at once (Quartz's thread pool).</param>
    /// <param name="maxBatchSize">Triggers acquired per scheduler-loop pass; Quartz's in-memory default is 1.</param>
    public static async Task<QuartzRig> StartAsync(int maxConcurrency, int maxBatchSize)
    {
        var recorder = new LatenessRecorder();
        var scheduler = await QuartzSchedulerBuilder.Create(q =>
        {
            q.Services.AddSingleton(recorder);
            q.UseInMemoryStore(_ => { });
            q.UseDefaultThreadPool(maxConcurrency);
            q.ConfigureScheduler(o =>
            {
                o.InstanceName = $"bench-{Guid.NewGuid():N}";
                o.MaxBatchSize = maxBatchSize;
            });
        }).BuildScheduler();
        await scheduler.Start();
        return new QuartzRig(scheduler, recorder);
    }

    /// <summary>Schedules <paramref name="names"/>, each its own job with a cron trigger in Quartz syntax.</summary>
    public async Task ScheduleAsync(IEnumerable<string> names, string cron)
    {
        var jobs = new Dictionary<IJobDetail, IReadOnlyCollection<ITrigger>>();
        foreach (var name in names)
        {
            var job = JobBuilder.Create<NoOpQuartzJob>().WithIdentity(name).Build();
            var trigger = TriggerBuilder.Create()
                .WithIdentity(name)
                .ForJob(job)
                .WithCronSchedule(cron, c => c.InTimeZone(TimeZoneInfo.Utc))
                .Build();
            jobs[job] = [trigger];
        }

        await _scheduler.ScheduleJobs(jobs);
    }

    public async ValueTask DisposeAsync()
    {
        await _scheduler.Shutdown(waitForJobsToComplete: true);
    }
}
