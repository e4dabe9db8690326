using System.Collections.Immutable;

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

    /// <summary>
    /// Reserves, for a bulk create (a script's CREATE statements), those of <paramref name="names"/> that are not in the
    /// index yet, writing each bucket once for all of them, if all fit under <c>Scheduler:MaxSchedulesPerTenant</c>;
    /// otherwise none. Returns the names reserved. The caller has each refused or unstarted create's name given back by its
    /// schedule grain (<see cref="IScheduleNameGrain.ReleaseUnusedNameAsync"/>); the creates' own reservations find the
    /// names taken.
    /// </summary>
    [Alias("ReserveMany")]
    Task<ImmutableArray<string>> ReserveManyAsync(ImmutableArray<string> names);
}
