using Microsoft.Extensions.Options;
using NodeDb.Orleans.Grains.Health;
using NodeDb.Orleans.Grains.Scheduling;

namespace NodeDb.Orleans.Grains.Hosting;

/// <summary>
/// <see cref="SchedulerOptions"/> with its parsed parts, built once per silo: every schedule activation shares them
/// (the routing table alone is 1,024 entries, too much to hold per schedule).
/// </summary>
public sealed class SchedulerSettings(IOptions<SchedulerOptions> options)
{
    public SchedulerOptions Options { get; } = options.Value;

    public ScheduleZone DefaultZone { get; } = ScheduleZone.Parse(options.Value.DefaultTimeZone);

    public ShardRouting Routing { get; } = ShardRouting.Parse(options.Value.Routing);

    public Schedules.DefinitionLimits Limits { get; } = Schedules.DefinitionLimits.Of(options.Value);
}
