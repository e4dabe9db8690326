using NodeDb.Orleans.Benchmarks.NodeDb;
using Orleans;

namespace NodeDb.Orleans.Benchmarks.Scenarios;

/// <summary>
/// Chooses a burst's instant T: it is fixed before the schedules are created (each one's cron names T's second),
/// so it must come after setup ends; a pilot of idle schedules measures the create rate first.
/// </summary>
public static class BurstPlan
{
    public static async Task<DateTimeOffset> InstantAsync(IGrainFactory grains, int schedules, BenchSettings settings)
    {
        var pilot = Math.Clamp(schedules / 20, 10, 500);
        var pilotTime = await ScheduleSetup.CreateAsync(
            grains, ScheduleSetup.Names("pilot", pilot), "0 0 0 1 1 *", perTenant: 100, settings.SetupConcurrency, "pilot");
        var estimate = pilotTime / pilot * schedules;
        return Waits.WholeSecondAfter(estimate * 1.2 + TimeSpan.FromSeconds(2));
    }
}
