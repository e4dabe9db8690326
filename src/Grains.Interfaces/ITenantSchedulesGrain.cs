using System.Collections.Immutable;

namespace NodeDb.Orleans;

/// <summary>The names of one tenant's schedules, so they are listed without a cluster-wide scan.</summary>
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
}
