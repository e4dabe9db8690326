namespace NodeDb.Orleans.Grains.Schedules;

/// <summary>The schedule grain's part in a bulk create that reserved names for it (<see cref="TenantSchedulesGrain.CreateManyAsync"/>).</summary>
[Alias("nodedb.IScheduleNameGrain")]
public interface IScheduleNameGrain : IGrainWithStringKey
{
    /// <summary>
    /// Gives the schedule's name back to the tenant's index when no schedule of this key exists: a bulk create reserved it
    /// for a definition that was then refused before anything of it was written. Decided in the schedule's own turn, so a
    /// concurrent create of the same key that did succeed keeps its name.
    /// </summary>
    [Alias("ReleaseUnusedName")]
    Task ReleaseUnusedNameAsync();
}
