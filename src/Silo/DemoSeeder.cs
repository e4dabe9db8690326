using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace NodeDb.Orleans.Silo;

/// <summary>For <c>--demo</c>: creates a schedule that inserts a row every 5 seconds and logs its history as it grows.</summary>
public sealed partial class DemoSeeder(IGrainFactory grains, ILogger<DemoSeeder> logger) : BackgroundService
{
    private const string Tenant = "demo";
    private const string Name = "heartbeat";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var schedule = grains.GetGrain<IScheduleGrain>(ScheduleKey.Of(Tenant, Name));
        await schedule.CreateAsync(
            new ScheduleDefinition
            {
                Tenant = Tenant,
                Name = Name,
                Cron = "*/5 * * * * *",
                Owner = "demo",
                Body = """
                    BEGIN
                      CREATE TABLE IF NOT EXISTS heartbeat (at TEXT NOT NULL);
                      INSERT INTO heartbeat (at) VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
                    END
                    """,
            },
            replace: true);
        LogSeeded(logger, Tenant, Name);

        var seen = new HashSet<string>(StringComparer.Ordinal);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var history = await grains.GetGrain<IJobHistoryGrain>(Tenant).QueryAsync(new HistoryQuery { Schedule = Name, Limit = 10 });
            foreach (var run in history.Reverse().Where(r => seen.Add(r.RunId)))
            {
                LogRun(logger, run.RunId, run.Status, run.ScheduledAt, run.Duration?.TotalMilliseconds ?? 0, run.Error ?? run.Reason ?? "");
            }
        }
    }

    [LoggerMessage(EventId = 9001, Level = LogLevel.Information, Message = "Demo: schedule {Tenant}/{Name} fires every 5 seconds; watch its runs below")]
    private static partial void LogSeeded(ILogger logger, string tenant, string name);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Information, Message = "Demo run {RunId}: {Status} (scheduled {ScheduledAt:O}, {DurationMs:F1} ms) {Detail}")]
    private static partial void LogRun(ILogger logger, string runId, RunStatus status, DateTimeOffset? scheduledAt, double durationMs, string detail);
}
