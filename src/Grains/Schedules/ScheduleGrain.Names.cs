namespace NodeDb.Orleans.Grains.Schedules;

public sealed partial class ScheduleGrain : IScheduleNameGrain
{
    public async Task ReleaseUnusedNameAsync()
    {
        if (Definition is not null)
        {
            return;
        }

        var (tenant, name) = ScheduleKey.Split(Key);
        await GrainFactory.Get<ITenantSchedulesGrain>(tenant).RemoveAsync(name);
    }
}
