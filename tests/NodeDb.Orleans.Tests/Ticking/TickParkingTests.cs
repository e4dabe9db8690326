using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using NodeDb.Orleans.Grains.Ticking;
using NodeDb.Orleans.Tests.Cluster;
using NodeDb.Orleans.Tests.Firing;

namespace NodeDb.Orleans.Tests.Ticking;

/// <summary>
/// Idle cost (issue 13): with nothing due the tick loop parks instead of waking twice a second, and a due instant
/// registered while it is parked wakes it in time for that instant's tick. Driven by the fake clock.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class TickParkingTests
{
    [Fact]
    public async Task An_empty_silo_parks_for_the_longest_park_and_does_not_wake_in_between()
    {
        await using var cluster = await StartAsync();
        var ticker = cluster.SiloServices.Single().GetRequiredService<SchedulerTickService>();
        var parks = new Parks(ticker);
        var first = await parks.NextAsync();
        var now = cluster.Time.GetUtcNow();
        Assert.InRange(first - now, SchedulerTickService.MaxPark - TimeSpan.FromSeconds(2), SchedulerTickService.MaxPark);

        var wakes = ticker.Wakes;
        while (cluster.Time.GetUtcNow() + TimeSpan.FromSeconds(1) < first)
        {
            cluster.Time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(wakes, ticker.Wakes); // before this change: two wakes a second

        var second = parks.NextAsync();
        cluster.Time.Advance(first - cluster.Time.GetUtcNow());
        Assert.Equal(first + SchedulerTickService.MaxPark, await second);
        Assert.Equal(TimeSpan.Zero, ticker.SinceLastTick); // parked and on time: ready
    }

    [Fact]
    public async Task A_due_instant_registered_while_parked_wakes_the_loop_for_the_tick_that_takes_it()
    {
        await using var cluster = await StartAsync();
        var ticker = cluster.SiloServices.Single().GetRequiredService<SchedulerTickService>();
        var parks = new Parks(ticker);
        var first = await parks.NextAsync();

        // Due in 10 s: with ArmAhead 3 s the tick that takes it is the one 6–7 s from now, long before the parked boundary.
        var due = cluster.Time.GetUtcNow() + TimeSpan.FromSeconds(10);
        var replanned = parks.NextAsync();
        ticker.SetDue("park/x", due);
        var boundary = await replanned;
        Assert.True(boundary < first, $"parked until {boundary:O}, not before {first:O}");
        Assert.InRange(due - boundary, TimeSpan.FromSeconds(3.5), TimeSpan.FromSeconds(4.5));

        // At the boundary the loop ticks; from there each half second is one tick step, until one takes the entry. The
        // loop may also park again between the boundary and the step that takes the entry (until that step's second):
        // a half second with no step is then simply passed.
        cluster.Time.Advance(boundary - cluster.Time.GetUtcNow());
        var taken = await parks.TookAsync();
        while (taken == 0 && cluster.Time.GetUtcNow() < due)
        {
            cluster.Time.Advance(TimeSpan.FromMilliseconds(500));
            taken = await parks.TookWithinAsync(TimeSpan.FromSeconds(2)) ?? 0;
        }

        Assert.Equal(1, taken);
        // The same step that takes it in a loop that never parks: the first arming step (mid-second) within 3 s of it.
        Assert.Equal(due - TimeSpan.FromSeconds(2.5), cluster.Time.GetUtcNow());
    }

    private static Task<SchedulerCluster> StartAsync() =>
        SchedulerCluster.StartAsync(silos: 1, configure: o =>
        {
            o.AutoTick = true;
            o.ArmAhead = TimeSpan.FromSeconds(3);
        });

    /// <summary>The loop's parks and tick steps, in order.</summary>
    private sealed class Parks
    {
        private readonly Channel<DateTimeOffset> _parks = Channel.CreateUnbounded<DateTimeOffset>();
        private readonly Channel<int> _took = Channel.CreateUnbounded<int>();

        private readonly Lock _lock = new();
        private DateTimeOffset? _last;

        public Parks(SchedulerTickService ticker)
        {
            ticker.Parked += Park;
            ticker.Took += count => _took.Writer.TryWrite(count);

            // The loop parks as soon as the silo starts, before the test could subscribe.
            if (ticker.ParkedUntil is { } already)
            {
                Park(already);
            }
        }

        private void Park(DateTimeOffset boundary)
        {
            lock (_lock)
            {
                if (_last != boundary)
                {
                    _last = boundary;
                    _parks.Writer.TryWrite(boundary);
                }
            }
        }

        public Task<DateTimeOffset> NextAsync() => _parks.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        public Task<int> TookAsync() => _took.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        /// <summary>The next tick step's count, or null when the loop took no step within <paramref name="limit"/> (it parked).</summary>
        public async Task<int?> TookWithinAsync(TimeSpan limit)
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            wait.CancelAfter(limit);
            try
            {
                // Cancelled, the read leaves the channel as it was: a later step is not lost.
                return await _took.Reader.ReadAsync(wait.Token);
            }
            catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
            {
                return null;
            }
        }
    }
}
