using System.Collections.Immutable;

namespace NodeDb.Orleans.Grains.Schedules;

/// <summary>One of a tenant's index buckets, keyed <c>"{tenant}#{bucket}"</c>; holds the names that hash to it.</summary>
[Alias("nodedb.ITenantScheduleBucketGrain")]
public interface ITenantScheduleBucketGrain : IGrainWithStringKey
{
    [Alias("Add")]
    Task AddAsync(string name);

    /// <summary>Adds names; completes once every one is written (names of one segment share a write).</summary>
    [Alias("AddMany")]
    Task AddManyAsync(ImmutableArray<string> names);

    [Alias("Remove")]
    Task RemoveAsync(string name);

    [Alias("List")]
    Task<ImmutableArray<string>> ListAsync();
}
