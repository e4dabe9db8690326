using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace NodeDb.Orleans.Grains.Security;

/// <summary>
/// Registers the first cluster-admin key when the silo becomes active: from <see cref="SecurityOptions.BootstrapKey"/>,
/// or from <see cref="SecurityOptions.BootstrapKeyFile"/>, which is created (mode 0600) with a new key on first start.
/// The log says where the file is; it never prints the key.
/// </summary>
public sealed partial class BootstrapKey(
    IGrainFactory grains,
    IOptions<SecurityOptions> options,
    ILogger<BootstrapKey> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private string? _text;
    private bool _created;

    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);

        // The file first, before the gateway opens: a client on this machine that connects at once finds it.
        lifecycle.Subscribe(nameof(BootstrapKey), ServiceLifecycleStage.RuntimeInitialize, _ =>
        {
            _text = Resolve(options.Value, out _created);
            return Task.CompletedTask;
        });
        lifecycle.Subscribe(nameof(BootstrapKey), ServiceLifecycleStage.Active, EnsureAsync);
    }

    /// <summary>The key's text, reading or creating the file when the options name one.</summary>
    public static string Resolve(SecurityOptions options, out bool created)
    {
        ArgumentNullException.ThrowIfNull(options);
        created = false;
        if (options.BootstrapKey is { Length: > 0 } given)
        {
            return given.Trim();
        }

        var path = Path.GetFullPath(options.BootstrapKeyFile!);
        created = KeyMaterial.TryCreateSecretFile(path, KeyMaterial.NewKey(ApiKeyText.ClusterScope));
        var text = KeyMaterial.ReadSecretFile(path, "The bootstrap key");
        return SecurityOptions.IsClusterKey(text)
            ? text
            : throw new InvalidOperationException($"The bootstrap key file {path} does not hold a cluster-scope key (ndb._cluster.<id>.<secret>).");
    }

    private async Task EnsureAsync(CancellationToken cancellationToken)
    {
        var text = _text ?? Resolve(options.Value, out _created);
        var created = _created;
        ApiKeyText.TryParse(text, out _, out var id, out var secret);
        var stored = await grains.GetGrain<IApiKeyStoreGrain>(ApiKeyText.ClusterScope).EnsureBootstrapAsync(id!, KeyMaterial.Hash(secret!));
        var where = options.Value.BootstrapKey is { Length: > 0 } ? "configuration (Security:BootstrapKey)" : Path.GetFullPath(options.Value.BootstrapKeyFile!);
        if (!KeyMaterial.Matches(stored.SecretHash, secret!))
        {
            LogMismatch(logger, id!, where);
        }
        else if (stored.Info.RevokedAt is not null)
        {
            LogRevoked(logger, id!, where);
        }
        else
        {
            LogReady(logger, id!, created ? "created" : "read", where);
        }
    }

    [LoggerMessage(EventId = 1010, Level = LogLevel.Information, Message = "Cluster-admin key {KeyId} {Created} at {Where}; the nodedb client on this machine uses it, or pass it with --key / NODEDB_KEY")]
    private static partial void LogReady(ILogger logger, string keyId, string created, string where);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Warning, Message = "The bootstrap cluster-admin key {KeyId} from {Where} was revoked: it is refused; use another cluster-admin key")]
    private static partial void LogRevoked(ILogger logger, string keyId, string where);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Error, Message = "The bootstrap key {KeyId} from {Where} does not match the key the cluster stored under that id: it is refused")]
    private static partial void LogMismatch(ILogger logger, string keyId, string where);
}
