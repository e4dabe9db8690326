using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using NodeDb.Orleans.Grains.Ticking;

namespace NodeDb.Orleans.Silo.Admin;

/// <summary>Ready only while the silo's tick loop woke within <see cref="AdminSettings.TickStaleAfter"/>: a silo whose loop is stopped or stuck fires nothing.</summary>
public sealed class TickLoopHealthCheck(SchedulerTickService ticks, IOptions<AdminSettings> settings) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var limit = settings.Value.TickStaleAfter;
        var result = ticks.SinceLastTick switch
        {
            null => HealthCheckResult.Unhealthy("the tick loop is not running"),
            { } since when since > limit => HealthCheckResult.Unhealthy($"the tick loop last woke {since.TotalSeconds:0.#} s ago (limit {limit.TotalSeconds:0.#} s)"),
            { } since => HealthCheckResult.Healthy($"the tick loop woke {since.TotalSeconds:0.#} s ago"),
        };
        return Task.FromResult(result);
    }
}
