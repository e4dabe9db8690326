using NodeDb.Orleans.Grains.Hosting;
using NodeDb.Orleans.Grains.Schedules;
using NodeDb.Orleans.Grains.Ticking;
using NodeDb.Orleans.Tests.Cluster;
using Microsoft.Extensions.DependencyInjection;

namespace NodeDb.Orleans.Tests.Firing;

/// <summary>
/// Idle schedules let their activations go (Orleans' collection, or the reminder's own release) and keep their
/// tick-index entry, so they still fire on time and an idle schedule costs an index entry, not an activation.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class IdleScheduleTests
{
    [Fact]
    public async Task A_collected_schedule_keeps_its_index_entry_and_fires_on_time()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 1);
        await cluster.CreateAsync("t1", "hourly", "0 * * * *");

        await Management(cluster).ForceActivationCollection(TimeSpan.Zero, TestContext.Current.CancellationToken);
        Assert.Equal(0, await ScheduleActivationsAsync(cluster));
        Assert.Equal(1, Index(cluster).Count);

        await cluster.AdvanceAsync(TimeSpan.FromMinutes(59));
        Assert.Empty(cluster.Scripted.RequestsOf("t1", "hourly"));
        await cluster.AdvanceAsync(TimeSpan.FromMinutes(1));
        var run = Assert.Single(cluster.Scripted.RequestsOf("t1", "hourly"));
        Assert.Equal(new DateTimeOffset(2026, 1, 5, 13, 0, 0, TimeSpan.Zero), run.ScheduledAt);
    }

    [Fact]
    public async Task A_reminder_tick_lets_the_activation_go_and_the_schedule_still_fires()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 1);
        await cluster.CreateAsync("t1", "hourly", "0 * * * *");
        var period = cluster.SiloServices.First().GetRequiredService<SchedulerSettings>().Options.ReminderPeriod;

        await cluster.Internal.GetGrain<IScheduleGrain>(ScheduleKey.Of("t1", "hourly")).AsReference<IRemindable>()
            .ReceiveReminder("nodedb-wake", new TickStatus(SchedulerCluster.Epoch.UtcDateTime, period, SchedulerCluster.Epoch.UtcDateTime), TestContext.Current.CancellationToken);
        await UntilAsync(async () => await ScheduleActivationsAsync(cluster) == 0, "the schedule's activation to go");
        Assert.Equal(1, Index(cluster).Count);

        await cluster.AdvanceAsync(TimeSpan.FromMinutes(60));
        Assert.Single(cluster.Scripted.RequestsOf("t1", "hourly"));
    }

    [Fact]
    public async Task A_poke_with_nothing_to_do_lets_the_activation_go_and_the_schedule_still_fires()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 1);
        await cluster.CreateAsync("t1", "hourly", "0 * * * *");
        await cluster.AdvanceAsync(TimeSpan.Zero); // the first observation settles the marker

        // What the wake registry does after a silo dies, or at cluster start: a poke with nothing due.
        await cluster.Internal.GetGrain<IScheduleRuntimeGrain>(ScheduleKey.Of("t1", "hourly")).TickAsync();
        await UntilAsync(async () => await ScheduleActivationsAsync(cluster) == 0, "the schedule's activation to go");
        Assert.Equal(1, Index(cluster).Count);

        await cluster.AdvanceAsync(TimeSpan.FromMinutes(60));
        Assert.Single(cluster.Scripted.RequestsOf("t1", "hourly"), r => r.ScheduledAt == new DateTimeOffset(2026, 1, 5, 13, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public async Task A_schedule_whose_activation_goes_for_another_reason_is_poked_again_and_fires_on_time()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 1);
        await cluster.CreateAsync("t1", "minutely", "* * * * *");
        await cluster.AdvanceAsync(TimeSpan.Zero);
        var key = ScheduleKey.Of("t1", "minutely");

        // Not idle: what a failed state write, a duplicate activation or a directory failure does. Its tick-index entry
        // goes with it, and nothing else would activate the schedule again before its hourly reminder.
        await cluster.Internal.GetGrain<IScheduleGrain>(key).AsReference<global::Orleans.Core.Internal.IGrainManagementExtension>().DeactivateOnIdle(TestContext.Current.CancellationToken);
        await UntilAsync(async () => await ScheduleActivationsAsync(cluster) == 0, "the schedule's activation to go");
        Assert.Contains(key, Index(cluster).Keys());

        await cluster.AdvanceAsync(TimeSpan.FromSeconds(1)); // the poke a second later activates it, and it registers again
        await cluster.AdvanceAsync(TimeSpan.FromSeconds(59));
        // (12:00 ran at the create, 30 s into its minute.)
        Assert.Single(cluster.Scripted.RequestsOf("t1", "minutely"), r => r.ScheduledAt == new DateTimeOffset(2026, 1, 5, 12, 1, 0, TimeSpan.Zero));
    }

    [Fact]
    public async Task A_dropped_schedule_leaves_no_index_entry()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 1);
        await cluster.CreateAsync("t1", "gone", "0 * * * *");
        await cluster.Schedule("t1", "gone").DropAsync();
        await Management(cluster).ForceActivationCollection(TimeSpan.Zero, TestContext.Current.CancellationToken);

        Assert.Equal(0, Index(cluster).Count);
        await cluster.AdvanceAsync(TimeSpan.FromHours(1));
        Assert.Empty(cluster.Scripted.RequestsOf("t1", "gone"));
    }

    private static IManagementGrain Management(SchedulerCluster cluster) => cluster.Internal.GetGrain<IManagementGrain>(0);

    private static DueIndex Index(SchedulerCluster cluster) => cluster.SiloServices.First().GetRequiredService<DueIndex>();

    private static async Task<int> ScheduleActivationsAsync(SchedulerCluster cluster) =>
        (await Management(cluster).GetSimpleGrainStatistics())
            .Where(s => s.GrainType.Contains(nameof(ScheduleGrain), StringComparison.Ordinal))
            .Sum(s => s.ActivationCount);

    /// <summary>Deactivation after <c>DeactivateOnIdle</c> completes off the caller's turn; nothing to await but its effect.</summary>
    private static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        for (var i = 0; i < 500; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        Assert.Fail($"Timed out waiting for {what}.");
    }
}
