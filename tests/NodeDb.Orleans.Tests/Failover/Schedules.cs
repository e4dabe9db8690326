namespace NodeDb.Orleans.Tests.Failover;

/// <summary>Client-side steps shared by the real-process tests.</summary>
public static class Schedules
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

    public static ScheduleDefinition EverySecond(string tenant, string name, MissedPolicy missed, string body = OccurrenceAccounting.EffectBody) => new()
    {
        Tenant = tenant,
        Name = name,
        Cron = "* * * * * *",
        Missed = missed,
        Body = body,
        Retries = 3,
    };

    public static Task<ScheduleStatus> CreateAsync(IClusterClient client, ScheduleDefinition definition) =>
        ClusterClient.RetryAsync(() => client.GetGrain<IScheduleGrain>(definition.Key).CreateAsync(definition, replace: true));

    public static Task<ScheduleStatus?> StatusAsync(IClusterClient client, string tenant, string name) =>
        ClusterClient.RetryAsync(() => client.GetGrain<IScheduleGrain>(ScheduleKey.Of(tenant, name)).GetStatusAsync());

    public static async Task<IReadOnlyList<RunRecord>> HistoryAsync(IClusterClient client, string tenant, string name) =>
        await ClusterClient.RetryAsync(() => client.GetGrain<IJobHistoryGrain>(tenant).QueryAsync(new HistoryQuery { Schedule = name, Limit = 10_000 }));

    /// <summary>
    /// Polls until <paramref name="condition"/> holds: a real process offers no event to wait on, so this is the one
    /// place these tests poll, with a short period and a failure (never a silent pass) at the limit.
    /// </summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> condition, string what, TimeSpan? limit = null)
    {
        using var guard = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        guard.CancelAfter(limit ?? WaitLimit);
        T last = default!;
        try
        {
            while (true)
            {
                last = await probe();
                if (condition(last))
                {
                    return last;
                }

                await Task.Delay(Poll, guard.Token);
            }
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            Assert.Fail($"Timed out after {(limit ?? WaitLimit).TotalSeconds} s waiting for {what}; last value: {Describe(last)}");
            throw;
        }
    }

    private static string Describe(object? value) => value switch
    {
        IReadOnlyList<RunRecord> rows => $"{rows.Count} rows: " + string.Join("; ", rows.Take(8).Select(r => $"{r.RunId} {r.Status} {r.Reason}")),
        ScheduleStatus status => $"last fired {status.LastFired:O}, {status.InFlight.Length} in flight: "
            + string.Join("; ", status.InFlight.Select(r => $"{r.RunId} on {r.Silo} claimed {r.ClaimedAt:O} buffered {r.Buffered}")),
        _ => value?.ToString() ?? "null",
    };

    /// <summary>Disables the schedules and waits until none has a run in flight or waiting, so history is final.</summary>
    public static async Task<Dictionary<string, ScheduleStatus>> StopAndSettleAsync(IClusterClient client, string tenant, IEnumerable<string> names)
    {
        var result = new Dictionary<string, ScheduleStatus>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            await ClusterClient.RetryAsync(() => client.GetGrain<IScheduleGrain>(ScheduleKey.Of(tenant, name)).SetEnabledAsync(false));
        }

        foreach (var name in names)
        {
            result[name] = (await UntilAsync(
                () => StatusAsync(client, tenant, name),
                s => s is { InFlight.IsEmpty: true, HistoryPending: false },
                $"{tenant}/{name} to finish its runs"))!;
        }

        return result;
    }
}
