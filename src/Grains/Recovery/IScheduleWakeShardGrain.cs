using System.Collections.Immutable;

namespace NodeDb.Orleans.Grains.Recovery;

/// <summary>
/// One shard of the wake registry: the persisted set of enabled schedule keys whose hash falls in this shard
/// (<see cref="WakeShards.ShardOf"/>), so a survivor can re-activate every schedule soon after a silo dies
/// instead of waiting for the reminder backstop.
/// </summary>
/// <remarks>Keyed <c>"0"</c>..<c>"63"</c>. Kept in the <see cref="StorageNames.Schedules"/> storage.</remarks>
[Alias("nodedb.IScheduleWakeShardGrain")]
public interface IScheduleWakeShardGrain : IGrainWithStringKey
{
    /// <summary>The host of a schedule that every silo's death concerns (SCOPE LOCAL: it has a run on every silo).</summary>
    const string AnyHost = "*";

    /// <summary>Adds an enabled schedule. Idempotent; writes only when the set changes.</summary>
    [Alias("Add")]
    Task AddAsync(string scheduleKey);

    /// <summary>
    /// Adds an enabled schedule, or records where it lives now: <paramref name="host"/> is the silo (parsable address)
    /// whose tick index holds it. Idempotent; writes only when the key or its host changes. A schedule calls it when it
    /// is created or enabled and when it activates on a silo, so the wake for a dead silo pokes only the schedules
    /// that silo held (<see cref="ClaimWakeAsync"/>).
    /// </summary>
    [Alias("Register")]
    Task RegisterAsync(string scheduleKey, string host);

    /// <summary>
    /// <see cref="RegisterAsync"/> for the schedules of a bulk create, all with the same <paramref name="host"/>: the keys
    /// that share a segment share its write. Completes once every key is written.
    /// </summary>
    [Alias("RegisterMany")]
    Task RegisterManyAsync(ImmutableArray<string> scheduleKeys, string host);

    /// <summary>Removes a disabled or dropped schedule. Idempotent; writes only when the set changes.</summary>
    [Alias("Remove")]
    Task RemoveAsync(string scheduleKey);

    /// <summary>
    /// Claims the wake-up for one cause (a dead silo, or a cluster start): the first caller for <paramref name="cause"/>
    /// gets the keys to poke, every other claimer an empty list, so the shard acts once per cause. For a cluster start
    /// that is every key of the shard; for a dead silo, the keys whose recorded host is that silo, and the keys with no
    /// recorded host (see <see cref="RegisterAsync"/>).
    /// </summary>
    /// <param name="cause">The dead silo's parsable address, or <c>start:{silo}</c>.</param>
    /// <param name="claimer">The asking silo's parsable address: the claimer that won a cause gets the keys again when it asks again.</param>
    /// <remarks>
    /// The claim is persisted before the keys are returned, and the cause counts as handled only once that write has
    /// succeeded: a failed write leaves it to the next claim. A claimer whose answer was lost may ask again and gets
    /// the same keys. If the claimer dies before it has poked them all, its own death is a new dead silo and wakes the
    /// whole shard again.
    /// </remarks>
    [Alias("ClaimWakeBy")]
    Task<ImmutableArray<string>> ClaimWakeAsync(string cause, string claimer);

    /// <summary>The keys in this shard, for diagnostics and tests.</summary>
    [Alias("List")]
    Task<ImmutableArray<string>> ListAsync();
}
