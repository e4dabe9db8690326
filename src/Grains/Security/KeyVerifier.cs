using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using NodeDb.Orleans.Grains.Hosting;
using NodeDb.Orleans.Grains.Sql.Execution;

namespace NodeDb.Orleans.Grains.Security;

/// <summary>
/// Checks a presented key against its record, which it caches per silo for <see cref="SecurityOptions.KeyCacheTtl"/>:
/// the bound on how long a revoked key keeps working on a silo that had just read it.
/// </summary>
public sealed class KeyVerifier(IGrainFactory grains, SchedulerClock clock, IOptions<SecurityOptions> options)
{
    private readonly ConcurrentDictionary<(string Scope, string Id), (StoredApiKey? Key, DateTimeOffset ReadAt)> _cache = new();
    private const int MaxCached = 10_000;
    private readonly TimeSpan _ttl = options.Value.KeyCacheTtl;

    /// <summary>The caller the key stands for.</summary>
    /// <exception cref="NodeDbException"><c>unauthenticated</c>, naming the rule (malformed, unknown, revoked, expired) and at most the key's public id.</exception>
    public async Task<Caller> VerifyAsync(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            throw Refuse("no API key was presented. Pass --key, set NODEDB_KEY or use a 0600 credentials file (see docs/client.md, 'Keys')");
        }

        if (!ApiKeyText.TryParse(text, out var scope, out var id, out var secret)
            || (scope != ApiKeyText.ClusterScope && !TenantName.IsValid(scope)))
        {
            throw Refuse("the presented API key is malformed: a key reads ndb.<tenant or _cluster>.<id>.<secret>");
        }

        var now = clock.GetUtcNow();
        var stored = await FindAsync(scope, id, now);
        if (stored is null || !KeyMaterial.Matches(stored.SecretHash, secret))
        {
            throw Refuse($"API key {id} of scope '{scope}' is unknown (or its secret is wrong)");
        }

        if (stored.Info.RevokedAt is { } revoked)
        {
            throw Refuse($"API key {id} was revoked at {revoked:O} by {stored.Info.RevokedBy}");
        }

        if (stored.Info.ExpiresAt is { } expires && expires <= now)
        {
            throw Refuse($"API key {id} expired at {expires:O}");
        }

        return new Caller(stored.Info.Principal, id, scope, stored.Info.Role);
    }

    /// <summary>Drops a cached record, so the next call reads it again (after a revocation on this silo).</summary>
    public void Forget(string scope, string id) => _cache.TryRemove((scope, id), out _);

    private async Task<StoredApiKey?> FindAsync(string scope, string id, DateTimeOffset now)
    {
        if (_cache.TryGetValue((scope, id), out var hit) && now - hit.ReadAt < _ttl && now >= hit.ReadAt)
        {
            return hit.Key;
        }

        var stored = await grains.GetGrain<IApiKeyStoreGrain>(scope).FindAsync(id);
        if (_cache.Count >= MaxCached)
        {
            // Made-up ids would otherwise grow the cache without bound; dropping it only costs re-reads.
            _cache.Clear();
        }

        _cache[(scope, id)] = (stored, now);
        return stored;
    }

    private static NodeDbException Refuse(string why) => new(ErrorCodes.Unauthenticated, $"Unauthenticated: {why}.");
}
