using Microsoft.Extensions.DependencyInjection;
using NodeDb.Orleans.Grains.Listing;

namespace NodeDb.Orleans.Grains.Schedules;

/// <summary>The schedule's line on this silo's <see cref="ScheduleBoard"/>, which the Schedules list sorts and filters by.</summary>
public sealed partial class ScheduleGrain
{
    private ScheduleBoard? _board;

    private ScheduleBoard Board => _board ??= ServiceProvider.GetRequiredService<ScheduleBoard>();

    /// <summary>
    /// At each next-run computation (which follows every change of the schedule's state, so one per fire, not one per
    /// write): the summary as the status would show it now. After the drop's write: removes it.
    /// </summary>
    private void PublishSummary(DateTimeOffset now)
    {
        var (tenant, name) = ScheduleKey.Split(Key);
        if (Definition is null)
        {
            Board.Remove(tenant, name);
            return;
        }

        Board.Set(tenant, ScheduleSummary.Of(Status(now), now));
    }
}
