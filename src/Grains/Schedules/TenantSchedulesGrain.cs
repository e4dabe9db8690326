using System.Collections.Immutable;
using NodeDb.Orleans.Grains.Health;
using NodeDb.Orleans.Grains.Hosting;
using Orleans.Concurrency;

namespace NodeDb.Orleans.Grains.Schedules;

/// <summary>
/// A tenant's schedule names, spread over <see cref="BucketCount"/> persisted buckets, so listing never scans the
/// cluster and adding a name rewrites one small bucket, not the whole index (one blob would make creating
/// n schedules cost O(n²) bytes written). One activation per tenant counts them, so the per-tenant limit holds exactly.
/// </summary>
/// <remarks>
/// <para>On activation it reads the 64 buckets once; from then on every change of the index passes through it, so its
/// in-memory view is the buckets' content plus the additions being written. <see cref="ReserveAsync"/> checks the count
/// and takes the slot in the same turn, before its first await: concurrent creates can never pass the limit together.</para>
/// <para>Reentrant: reservations wait for their bucket writes side by side (the buckets batch them), and a bulk create
/// waits for schedule grains that call back into <see cref="ReserveAsync"/>. The invariant across awaits: a name is in
/// <c>_listed</c> only once its bucket write succeeded, and in <c>_adding</c> while it is being written. A failed write
/// deactivates the grain, so the next activation counts from what storage holds.</para>
/// </remarks>
[Reentrant]
[CollectionAgeLimit(Minutes = 5)]
public sealed class TenantSchedulesGrain(SchedulerSettings settings, BulkScheduleWriter writer) : Grain, ITenantSchedulesGrain, ITenantScheduleIndexGrain
{
    public const int BucketCount = 64;

    /// <summary>Schedules a bulk create runs side by side.</summary>
    internal const int BulkParallelism = 64;

    private readonly HashSet<string> _listed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task> _adding = new(StringComparer.Ordinal);
    private readonly ITenantScheduleBucketGrain?[] _buckets = new ITenantScheduleBucketGrain?[BucketCount];

    private string Tenant => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var buckets = await Task.WhenAll(Enumerable.Range(0, BucketCount).Select(i => Bucket(i).ListAsync()));
        foreach (var name in buckets.SelectMany(b => b))
        {
            _listed.Add(name);
        }
    }

    public Task AddAsync(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return ReserveAsync(name, int.MaxValue);
    }

    public Task ReserveAsync(string name, int limit)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (_listed.Contains(name))
        {
            return Task.CompletedTask;
        }

        if (_adding.TryGetValue(name, out var adding))
        {
            return adding;
        }

        var count = _listed.Count + _adding.Count;
        if (count >= limit)
        {
            return Task.FromException(new NodeDbException(
                ErrorCodes.InvalidDefinition,
                $"Tenant '{Tenant}' has {count} schedules: at most {limit} are allowed (limit Scheduler:MaxSchedulesPerTenant = {limit}); drop one first."));
        }

        // Taken in this turn, before any await: the next reservation already counts it.
        var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _adding[name] = written.Task;
        _ = AddToBucketAsync(name, written);
        return written.Task;
    }

    public async Task RemoveAsync(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (_adding.TryGetValue(name, out var adding))
        {
            await adding;
        }

        try
        {
            await Bucket(name).RemoveAsync(name);
        }
        catch
        {
            DeactivateOnIdle();
            throw;
        }

        _listed.Remove(name);
    }

    [ReadOnly]
    public Task<ImmutableArray<string>> ListAsync() => Task.FromResult<ImmutableArray<string>>([.. _listed.Order(StringComparer.Ordinal)]);

    public async Task<ImmutableArray<BulkCreateResult>> CreateManyAsync(ImmutableArray<ScheduleDefinition> definitions, bool replace = false)
    {
        if (definitions.IsDefault)
        {
            throw new ArgumentNullException(nameof(definitions));
        }

        if (definitions.Length > ITenantSchedulesGrain.MaxBulkCreate)
        {
            throw new NodeDbException(
                ErrorCodes.InvalidDefinition,
                $"A bulk create of {definitions.Length} schedules is too large: at most {ITenantSchedulesGrain.MaxBulkCreate} per call; split it.");
        }

        var results = new BulkCreateResult[definitions.Length];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var work = new List<int>(definitions.Length);
        for (var i = 0; i < definitions.Length; i++)
        {
            var definition = definitions[i] ?? throw new ArgumentException($"Definition {i + 1} is null.", nameof(definitions));
            if (!string.Equals(definition.Tenant, Tenant, StringComparison.Ordinal))
            {
                // The tenant is the grain's key, which the caller's key was checked against: a definition cannot name another.
                results[i] = Refused(definition.Name, ErrorCodes.InvalidDefinition, $"Schedule '{definition.Name}' names tenant '{definition.Tenant}', but this bulk create is for tenant '{Tenant}'.");
            }
            else if (!seen.Add(definition.Name))
            {
                results[i] = Refused(definition.Name, ErrorCodes.InvalidDefinition, $"Schedule '{definition.Name}' appears more than once in this bulk create.");
            }
            else
            {
                work.Add(i);
            }
        }

        var reserved = await ReserveForBulkAsync(work.Select(i => definitions[i].Name));
        work = await CreateReservedAsync(definitions, work, reserved, results);

        // The rest (names already listed, names not reserved ahead because the call would pass the limit, definitions the
        // bulk writer left to their grains) go through their schedule grains. Bounded: each create holds a schedule
        // activation and a few storage writes; the writes of the ones side by side share transactions (index buckets, wake
        // shards, grain state and reminders are all group-committed).
        using var slots = new SemaphoreSlim(BulkParallelism);
        await Task.WhenAll(work.Select(async i =>
        {
            await slots.WaitAsync();
            try
            {
                results[i] = await CreateOneAsync(definitions[i], replace, reserved.Contains(definitions[i].Name));
            }
            finally
            {
                slots.Release();
            }
        }));

        return [.. results];
    }

    /// <summary>
    /// Creates the definitions whose names this call reserved with the bulk writer (no activation per schedule); returns the
    /// indexes of those it left to their grains.
    /// </summary>
    private async Task<List<int>> CreateReservedAsync(
        ImmutableArray<ScheduleDefinition> definitions, List<int> work, HashSet<string> reserved, BulkCreateResult[] results)
    {
        var direct = work.Where(i => reserved.Contains(definitions[i].Name)).ToList();
        var rest = work.Where(i => !reserved.Contains(definitions[i].Name)).ToList();
        if (direct.Count == 0)
        {
            return rest;
        }

        var outcomes = await writer.CreateAsync([.. direct.Select(i => definitions[i])]);
        var releases = new List<Task>();
        for (var k = 0; k < direct.Count; k++)
        {
            var (i, outcome) = (direct[k], outcomes[k]);
            if (outcome.Status is not null)
            {
                results[i] = new BulkCreateResult { Name = definitions[i].Name };
            }
            else if (outcome.Error is { } error)
            {
                results[i] = Refused(definitions[i].Name, error.Code, error.Message);
                if (outcome.NothingWritten)
                {
                    releases.Add(ReleaseQuietlyAsync(definitions[i]));
                }
            }
            else
            {
                rest.Add(i);
            }
        }

        await Task.WhenAll(releases);
        return rest;
    }

    private async Task<BulkCreateResult> CreateOneAsync(ScheduleDefinition definition, bool replace, bool reserved)
    {
        try
        {
            await GrainFactory.Get<IScheduleGrain>(definition.Key).CreateAsync(definition, replace);
            return new BulkCreateResult { Name = definition.Name };
        }
        catch (NodeDbException e)
        {
            // A refusal (invalid definition, limit) comes before anything of the schedule is written. Its name, if this call
            // reserved it, is given back by the schedule grain, which knows in its own turn whether a schedule exists. Any
            // other failure may follow a write whose outcome is unknown: the name stays (a name without a schedule at worst).
            if (reserved)
            {
                await ReleaseQuietlyAsync(definition);
            }

            return Refused(definition.Name, e.Code, e.Message);
        }
    }

    private async Task ReleaseQuietlyAsync(ScheduleDefinition definition)
    {
        try
        {
            await GrainFactory.Get<IScheduleNameGrain>(definition.Key).ReleaseUnusedNameAsync();
        }
        catch (Exception)
        {
            // Left listed: a name without a schedule, shown by no listing of schedules, taken again by a retried create.
        }
    }

    /// <summary>
    /// Reserves the names of a bulk create that are not in the index yet, each bucket written once for the whole call
    /// (64 bucket calls per 1,000 names instead of 1,000), when all of them fit under the tenant's limit; the schedules'
    /// own reservations then find their names taken. Returns the names reserved here.
    /// </summary>
    /// <remarks>
    /// The index entry still comes first: a schedule's state is written after its name is durable, so a crash leaves at
    /// most names without schedules. When the call would pass the limit nothing is reserved here, and each create reserves
    /// its own name as before, so the limit decides exactly which definitions get in. A bucket whose write fails leaves its
    /// names to the creates' own reservations (and counts none of them: see <see cref="AddToBucketAsync"/>).
    /// </remarks>
    public async Task<ImmutableArray<string>> ReserveManyAsync(ImmutableArray<string> names)
    {
        if (names.IsDefault)
        {
            throw new ArgumentNullException(nameof(names));
        }

        return [.. await ReserveForBulkAsync(names)];
    }

    private async Task<HashSet<string>> ReserveForBulkAsync(IEnumerable<string> names)
    {
        var reserved = new HashSet<string>(StringComparer.Ordinal);
        var fresh = names.Where(n => !_listed.Contains(n) && !_adding.ContainsKey(n)).Distinct(StringComparer.Ordinal).ToList();
        if (fresh.Count == 0 || _listed.Count + _adding.Count + fresh.Count > settings.Options.MaxSchedulesPerTenant)
        {
            return reserved;
        }

        // Taken in this turn, before any await: a concurrent reservation already counts them.
        var groups = fresh.GroupBy(BucketIndex).Select(g => (Index: g.Key, Names: g.ToImmutableArray(),
            Written: new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously))).ToList();
        foreach (var group in groups)
        {
            foreach (var name in group.Names)
            {
                _adding[name] = group.Written.Task;
            }
        }

        await Task.WhenAll(groups.Select(async group =>
        {
            try
            {
                await Bucket(group.Index).AddManyAsync(group.Names);
                foreach (var name in group.Names)
                {
                    _listed.Add(name);
                    _adding.Remove(name);
                    reserved.Add(name);
                }

                group.Written.SetResult();
            }
            catch (Exception e)
            {
                foreach (var name in group.Names)
                {
                    _adding.Remove(name);
                }

                // A concurrent reservation of one of these names waits on this and must fail too; nobody else may.
                _ = group.Written.Task.ContinueWith(static t => t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
                group.Written.SetException(e);
            }
        }));

        return reserved;
    }

    private static BulkCreateResult Refused(string name, string code, string message) => new() { Name = name, ErrorCode = code, Error = message };

    private async Task AddToBucketAsync(string name, TaskCompletionSource written)
    {
        try
        {
            await Bucket(name).AddAsync(name);
            _listed.Add(name);
            _adding.Remove(name);
            written.SetResult();
        }
        catch (Exception e)
        {
            // The bucket may or may not hold the name (a timeout can follow a commit); the bucket keeps itself true to storage
            // (a conflict at its next write reloads it). Not counting a name that did land can only let one more name in, never
            // one more schedule: the create that reserved it fails, so it is a name without a schedule. Deactivating here
            // instead stalled a bulk create: the deactivation waits for CreateManyAsync, whose creates wait to reserve here.
            _adding.Remove(name);
            written.SetException(e);
        }
    }

    private ITenantScheduleBucketGrain Bucket(string name) => Bucket(BucketIndex(name));

    private static int BucketIndex(string name) => (int)(ShardRouting.StableHash(name) % BucketCount);

    // Resolved once per activation: GetGrain reads the interface's attributes by reflection on every call.
    private ITenantScheduleBucketGrain Bucket(int index) =>
        _buckets[index] ??= GrainFactory.GetGrain<ITenantScheduleBucketGrain>($"{Tenant}#{index}");
}
