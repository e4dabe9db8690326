namespace NodeDb.Orleans.Grains.Recovery;

/// <summary>What one silo did to wake schedules for one cause.</summary>
/// <param name="Cause">The dead silo (a parsable silo address), or <c>start:{silo}</c> for a cluster start.</param>
/// <param name="ShardsClaimed">Non-empty shards whose wake this silo won (others went to another survivor).</param>
/// <param name="Poked">Schedules poked.</param>
/// <param name="Failed">Pokes that failed every attempt (their reminders still wake them).</param>
/// <param name="Elapsed">From the start of the wake to the last poke.</param>
public sealed record WakeReport(string Cause, int ShardsClaimed, int Poked, int Failed, TimeSpan Elapsed)
{
    /// <summary>Shards whose claim failed every attempt: left unclaimed, so another survivor's wake can still take them.</summary>
    public int ShardsFailed { get; init; }
}
