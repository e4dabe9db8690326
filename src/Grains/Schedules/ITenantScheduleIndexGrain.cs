namespace NodeDb.Orleans.Grains.Schedules;

/// <summary>The silo-side face of a tenant's index (<see cref="TenantSchedulesGrain"/>): the per-tenant limit, held exactly.</summary>
[Alias("nodedb.ITenantScheduleIndexGrain")]
public interface ITenantScheduleIndexGrain : IGrainWithStringKey
{
    /// <summary>
    /// Puts <paramref name="name"/> into the tenant's durable index unless that would make more than
    /// <paramref name="limit"/> schedules; completes once the index entry is written. Idempotent for a name already there.
    /// </summary>
    /// <remarks>
    /// The schedule grain reserves its name before it writes its own state, so a schedule whose state exists is always
    /// listed and counted. A reservation whose create then fails is released; one left by a crash between the two writes
    /// is a listed name without a schedule (shown nowhere, re-created or dropped by name), never a schedule without a name.
    /// </remarks>
    /// <exception cref="NodeDbException"><c>invalid_definition</c> when the tenant already has <paramref name="limit"/> schedules.</exception>
    [Alias("Reserve")]
    Task ReserveAsync(string name, int limit);
}
