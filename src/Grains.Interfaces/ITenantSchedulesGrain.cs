using System.Collections.Immutable;

namespace NodeDb.Orleans;

/// <summary>The names of one tenant's schedules, so they are listed without a cluster-wide scan; and bulk creation.</summary>
[Alias("nodedb.ITenantSchedulesGrain")]
public interface ITenantSchedulesGrain : IGrainWithStringKey
{
    [Alias("Add")]
    Task AddAsync(string name);

    [Alias("Remove")]
    Task RemoveAsync(string name);

    /// <summary>Names in ordinal order.</summary>
    [Alias("List")]
    Task<ImmutableArray<string>> ListAsync();

    /// <summary>
    /// Creates many schedules of this tenant at once, several side by side (bounded), each exactly as
    /// <see cref="IScheduleGrain.CreateAsync"/> would; returns one outcome per definition, in order.
    /// </summary>
    /// <param name="definitions">At most <see cref="MaxBulkCreate"/> definitions of this tenant, with distinct names.</param>
    /// <param name="replace">Replace schedules that exist, as <c>CREATE OR REPLACE</c>.</param>
    /// <remarks>
    /// <para>Each definition is checked and created on its own: one refused (a bad cron, a name that exists, the
    /// tenant's limit <c>Scheduler:MaxSchedulesPerTenant</c> reached) fails alone, with its reason in its outcome. A
    /// created one is durable (definition, tenant index, wake registry, reminder) when this call returns; one refused or
    /// interrupted by a crash is not half-created.</para>
    /// <para>From a client, every definition's owner is replaced by the principal of the presented key.</para>
    /// <para>A call takes about as long as its definitions take one by one divided by the parallelism, so its response
    /// timeout is 5 minutes rather than Orleans' 30 s; import very large sets in calls of a few thousand.</para>
    /// </remarks>
    /// <exception cref="NodeDbException"><c>invalid_definition</c> when there are more than <see cref="MaxBulkCreate"/> definitions.</exception>
    [Alias("CreateMany")]
    [ResponseTimeout("00:05:00")]
    Task<ImmutableArray<BulkCreateResult>> CreateManyAsync(ImmutableArray<ScheduleDefinition> definitions, bool replace = false);

    /// <summary>The most definitions one <see cref="CreateManyAsync"/> call takes.</summary>
    const int MaxBulkCreate = 10_000;
}
