using System.Collections.Immutable;
using System.Text.RegularExpressions;
using NodeDb.Orleans.Grains.Hosting;
using NodeDb.Orleans.Grains.Sql.Execution;

namespace NodeDb.Orleans.Grains.Security;

/// <summary>The keys of one scope (a tenant or the cluster), persisted in the schedule store. Secrets are kept only as hashes.</summary>
public sealed partial class ApiKeysGrain(
    [PersistentState("apikeys", StorageNames.Schedules)] IPersistentState<ApiKeysState> state,
    SchedulerClock clock,
    KeyVerifier verifier) : Grain, IApiKeysGrain, IApiKeyStoreGrain
{
    /// <summary>The most keys one scope holds (revoked ones count until the scope is cleaned).</summary>
    public const int MaxKeys = 1000;

    private string Scope => this.GetPrimaryKeyString();

    public async Task<NewApiKey> CreateAsync(string principal, ApiKeyRole role, DateTimeOffset? expiresAt)
    {
        var now = clock.GetUtcNow();
        if (Scope != ApiKeyText.ClusterScope && !TenantName.IsValid(Scope))
        {
            throw new NodeDbException(ErrorCodes.InvalidDefinition, $"Tenant '{Scope}' is invalid: {TenantName.Rule}");
        }

        if (principal is null || !PrincipalPattern().IsMatch(principal))
        {
            throw new NodeDbException(ErrorCodes.InvalidDefinition, $"Principal '{principal}' is invalid: give 1 to 64 letters, digits, '.', '_', '-' or '@'.");
        }

        if (!Enum.IsDefined(role))
        {
            throw new NodeDbException(ErrorCodes.InvalidDefinition, $"Role {(int)role} is invalid: use reader, operator or admin.");
        }

        if (expiresAt is { } expiry && expiry <= now)
        {
            throw new NodeDbException(ErrorCodes.InvalidDefinition, $"Expiry {expiry:O} is invalid: it is not in the future.");
        }

        if (state.State.Keys.Count >= MaxKeys)
        {
            throw new NodeDbException(ErrorCodes.InvalidDefinition, $"Scope '{Scope}' already holds {MaxKeys} keys, the most one scope may hold.");
        }

        var id = KeyMaterial.NewId();
        var secret = KeyMaterial.NewSecret();
        var info = new ApiKeyInfo
        {
            Id = id,
            Scope = Scope,
            Principal = principal,
            Role = role,
            CreatedAt = now,
            CreatedBy = Caller.CurrentPrincipal ?? "silo",
            ExpiresAt = expiresAt,
        };
        state.State.Keys[id] = new StoredApiKey(info, KeyMaterial.Hash(secret));
        await state.WriteStateAsync();
        return new NewApiKey(info, ApiKeyText.Format(Scope, id, secret));
    }

    public Task<ImmutableArray<ApiKeyInfo>> ListAsync() =>
        Task.FromResult(state.State.Keys.Values.Select(k => k.Info).OrderBy(k => k.CreatedAt).ThenBy(k => k.Id, StringComparer.Ordinal).ToImmutableArray());

    public Task<KeyIdentity> WhoAmIAsync(KeyIdentity? caller = null) =>
        // Only the filter fills it in; a call without it came from inside the silo, which has no key.
        Task.FromResult(caller ?? throw new NodeDbException(ErrorCodes.Unauthenticated, "Unauthenticated: no API key was presented."));

    public async Task<ApiKeyInfo> RevokeAsync(string id)
    {
        if (id is null || !state.State.Keys.TryGetValue(id, out var stored))
        {
            throw new NodeDbException(ErrorCodes.NotFound, $"Key '{id}' does not exist in scope '{Scope}' (see nodedb key list).");
        }

        if (stored.Info.RevokedAt is null)
        {
            stored = stored with { Info = stored.Info with { RevokedAt = clock.GetUtcNow(), RevokedBy = Caller.CurrentPrincipal ?? "silo" } };
            state.State.Keys[id] = stored;
            await state.WriteStateAsync();
        }

        // This silo stops accepting it at once; the others within the key cache lifetime.
        verifier.Forget(Scope, id);
        return stored.Info;
    }

    public Task<StoredApiKey?> FindAsync(string id) =>
        Task.FromResult(id is not null && state.State.Keys.TryGetValue(id, out var stored) ? stored : null);

    public async Task<StoredApiKey> EnsureBootstrapAsync(string id, string secretHash)
    {
        if (state.State.Keys.TryGetValue(id, out var existing))
        {
            return existing;
        }

        var info = new ApiKeyInfo
        {
            Id = id,
            Scope = Scope,
            Principal = "cluster-admin",
            Role = ApiKeyRole.Admin,
            CreatedAt = clock.GetUtcNow(),
            CreatedBy = "bootstrap",
        };
        var stored = new StoredApiKey(info, secretHash);
        state.State.Keys[id] = stored;
        await state.WriteStateAsync();
        return stored;
    }

    [GeneratedRegex("^[A-Za-z0-9._@-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex PrincipalPattern();
}
