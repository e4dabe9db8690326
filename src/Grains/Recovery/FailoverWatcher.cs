using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using NodeDb.Orleans.Grains.Schedules;

namespace NodeDb.Orleans.Grains.Recovery;

/// <summary>
/// Watches cluster membership and, when a silo is declared dead, re-activates the enabled schedules it held on the
/// survivors within seconds, instead of the minutes the reminder backstop takes.
/// </summary>
/// <remarks>
/// <para>Every surviving silo sees the death and asks all <see cref="WakeShards.Count"/> shards of the wake registry;
/// each shard hands its keys to the first asker only (<see cref="IScheduleWakeShardGrain.ClaimWakeAsync"/>), so each
/// schedule is poked about once per dead silo. A shard hands out only the keys whose recorded host is the dead silo
/// (a schedule records the silo whose tick index holds it, see <see cref="IScheduleWakeShardGrain.RegisterAsync"/>) and
/// those with no record: a silo's death costs a read of the shards and a poke per schedule it held, not a poke per
/// schedule of the cluster. A poke (<see cref="IScheduleRuntimeGrain.TickAsync"/>) re-activates the
/// schedule wherever placement puts it; activation settles the dead silo's runs from the tenant's run ledger, the tick
/// fires what is due under the missed policy, and the schedule registers its next due instant in the new silo's tick
/// index. Poking a schedule that is alive elsewhere is harmless: a tick fires each occurrence once.</para>
/// <para>Dead silos already in the first membership snapshot are woken for too; the shards' memory of handled causes
/// makes that a no-op when someone did it before. And a silo that finds itself the oldest active member when it starts
/// (the first silo of a cluster that was down, e.g. the embedded profile's single silo after a crash) wakes every
/// schedule under the cause <c>start:{itself}</c>: nothing else would re-activate them before their reminders.</para>
/// </remarks>
public sealed partial class FailoverWatcher(
    IClusterMembershipService membership,
    IGrainFactory grains,
    ILocalSiloDetails localSilo,
    TimeProvider time,
    ILogger<FailoverWatcher> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>The prefix of a cluster start's cause (<c>start:{silo}</c>), which wakes every schedule.</summary>
    internal const string StartCause = "start:";
    private const int MaxConcurrentPokes = 32;
    private const int PokeAttempts = 4;
    private static readonly TimeSpan PokeBackoff = TimeSpan.FromMilliseconds(500);
    private readonly CancellationTokenSource _stop = new();
    private readonly HashSet<SiloAddress> _seenDead = [];
    private readonly ConcurrentDictionary<Task, byte> _wakes = new();
    private readonly SemaphoreSlim _pokeSlots = new(MaxConcurrentPokes, MaxConcurrentPokes);
    private Task _loop = Task.CompletedTask;

    /// <summary>Raised after this silo finished a wake for a dead silo (tests and diagnostics).</summary>
    public event Action<WakeReport>? WakeCompleted;

    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(nameof(FailoverWatcher), ServiceLifecycleStage.Active, StartAsync, StopAsync);
    }

    /// <summary>Wakes every schedule of the registry for <paramref name="cause"/> (a dead silo's address); returns what it did.</summary>
    /// <remarks>
    /// Each shard is claimed and its keys poked on its own: a shard that cannot be claimed (its claim fails every
    /// attempt) is counted in <see cref="WakeReport.ShardsFailed"/> and left unclaimed for the next survivor or
    /// wake, and never costs the keys of the shards this silo did claim.
    /// </remarks>
    public async Task<WakeReport> WakeAsync(string cause, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(cause);
        var started = time.GetTimestamp();
        var shards = await Task.WhenAll(WakeShards.All.Select(shard => WakeShardAsync(shard, cause, cancellationToken)));
        var report = new WakeReport(
            cause,
            shards.Count(s => s.Keys > 0),
            shards.Sum(s => s.Keys),
            shards.Sum(s => s.FailedPokes),
            time.GetElapsedTime(started))
        {
            ShardsFailed = shards.Count(s => !s.Claimed),
        };
        LogWoke(logger, cause, report.Poked, report.Failed, report.Elapsed.TotalMilliseconds);
        if (report.ShardsFailed > 0)
        {
            LogShardsUnclaimed(logger, cause, report.ShardsFailed);
        }

        WakeCompleted?.Invoke(report);
        return report;
    }

    private async Task<(bool Claimed, int Keys, int FailedPokes)> WakeShardAsync(string shard, string cause, CancellationToken cancellationToken)
    {
        ImmutableArray<string> keys;
        try
        {
            keys = await ClaimAsync(shard, cause);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Not claimed (a claim counts only once its write succeeded), so another survivor's claim can still take
            // it; if none can, the schedules' reminders wake them.
            LogClaimFailed(logger, e, shard, cause);
            return (false, 0, 0);
        }

        var failed = (await Task.WhenAll(keys.Select(key => PokeAsync(key, cancellationToken)))).Count(ok => !ok);
        return (true, keys.Length, failed);
    }

    private Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(WatchAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync();
        try
        {
            await Task.WhenAll([_loop, .. _wakes.Keys]).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Shutting down: a half-done wake is finished by whoever sees this silo die, or by the reminders.
        }
    }

    private async Task WatchAsync()
    {
        try
        {
            var first = true;
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(_stop.Token))
            {
                if (first && IsOldestActive(snapshot))
                {
                    LogClusterStart(logger);
                    Track(WakeSafelyAsync(StartCause + localSilo.SiloAddress.ToParsableString()));
                }

                first = false;
                foreach (var (address, member) in snapshot.Members)
                {
                    if (member.Status != SiloStatus.Dead || address.Equals(localSilo.SiloAddress) || !_seenDead.Add(address))
                    {
                        continue;
                    }

                    LogSiloDead(logger, address.ToParsableString(), snapshot.Version.Value);
                    Track(WakeSafelyAsync(address.ToParsableString()));
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // Without the watcher, schedules of a dead silo still come back through their reminders, only later.
            LogWatchFailed(logger, e);
        }
    }

    private bool IsOldestActive(ClusterMembershipSnapshot snapshot)
    {
        var oldest = snapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active)
            .MinBy(m => (m.SiloAddress.Generation, m.SiloAddress.ToParsableString()));
        return oldest is not null && oldest.SiloAddress.Equals(localSilo.SiloAddress);
    }

    private void Track(Task wake)
    {
        _wakes[wake] = 0;
        wake.ContinueWith(t => _wakes.TryRemove(t, out _), TaskScheduler.Default);
    }

    private async Task WakeSafelyAsync(string cause)
    {
        try
        {
            await WakeAsync(cause, _stop.Token);
        }
        catch (Exception e)
        {
            LogWakeFailed(logger, e, cause);
        }
    }

    private async Task<ImmutableArray<string>> ClaimAsync(string shard, string cause)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await grains.GetGrain<IScheduleWakeShardGrain>(shard).ClaimWakeAsync(cause, localSilo.SiloAddress.ToParsableString());
            }
            catch (Exception e) when (attempt < PokeAttempts && !_stop.IsCancellationRequested)
            {
                // The shard itself may have lived on the dead silo; the directory forgets it within moments.
                LogClaimRetry(logger, e, shard, attempt);
                await Task.Delay(PokeBackoff * attempt, time);
            }
        }
    }

    private async Task<bool> PokeAsync(string key, CancellationToken cancellationToken)
    {
        await _pokeSlots.WaitAsync(cancellationToken);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await grains.GetGrain<IScheduleRuntimeGrain>(key).TickAsync();
                    return true;
                }
                catch (Exception e) when (attempt < PokeAttempts && !cancellationToken.IsCancellationRequested)
                {
                    LogPokeRetry(logger, e, key, attempt);
                    await Task.Delay(PokeBackoff * attempt, time, cancellationToken);
                }
                catch (Exception e)
                {
                    // Safe to give up: the schedule's reminder re-activates it within one reminder period.
                    LogPokeFailed(logger, e, key);
                    return false;
                }
            }
        }
        finally
        {
            _pokeSlots.Release();
        }
    }
}
