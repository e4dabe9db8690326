using System.Collections.Immutable;
using NodeDb.Orleans.Grains.Health;
using Orleans.Concurrency;

namespace NodeDb.Orleans.Grains.Schedules;

/// <summary>
/// A tenant's schedule names, spread over <see cref="BucketCount"/> persisted buckets, so listing never scans the
/// cluster and adding a name rewrites one small bucket, not the whole index (one blob would make creating
/// n schedules cost O(n²) bytes written).
/// </summary>
[StatelessWorker]
public sealed class TenantSchedulesGrain : Grain, ITenantSchedulesGrain
{
    public const int BucketCount = 64;

    private string Tenant => this.GetPrimaryKeyString();

    public Task AddAsync(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return Bucket(name).AddAsync(name);
    }

    public Task RemoveAsync(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return Bucket(name).RemoveAsync(name);
    }

    public async Task<ImmutableArray<string>> ListAsync()
    {
        var buckets = await Task.WhenAll(Enumerable.Range(0, BucketCount)
            .Select(i => GrainFactory.GetGrain<ITenantScheduleBucketGrain>($"{Tenant}#{i}").ListAsync()));
        return [.. buckets.SelectMany(b => b).Order(StringComparer.Ordinal)];
    }

    private ITenantScheduleBucketGrain Bucket(string name) =>
        GrainFactory.GetGrain<ITenantScheduleBucketGrain>($"{Tenant}#{ShardRouting.StableHash(name) % BucketCount}");
}
