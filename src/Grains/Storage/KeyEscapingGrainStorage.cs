using NodeDb.Orleans.Grains.History;
using Orleans.Runtime;
using Orleans.Storage;

namespace NodeDb.Orleans.Grains.Storage;

/// <summary>
/// Wraps a grain storage whose keys are not injective, escaping each grain key first so two distinct grain ids never
/// reach it as the same key.
/// </summary>
/// <remarks>
/// Orleans' Azure Table grain storage turns <c>/ \ # ?</c> into <c>_</c> in its keys, so the schedule grains
/// <c>acme/x_y</c> and <c>acme_x/y</c> would share one entity: one tenant could read, replace or drop the other's
/// schedule. The key is escaped with <see cref="AzureTableHistoryStore.Escape"/> (<c>%</c>, those four characters and
/// control characters become <c>%XX</c>), which is injective and leaves nothing for the inner storage to rewrite.
/// </remarks>
public sealed class KeyEscapingGrainStorage : IGrainStorage
{
    private readonly IGrainStorage _inner;

    public KeyEscapingGrainStorage(IGrainStorage inner) => _inner = inner ?? throw new ArgumentNullException(nameof(inner));

    /// <summary>The grain id the inner storage sees for <paramref name="grainId"/>.</summary>
    public static GrainId Escaped(GrainId grainId) => GrainId.Create(grainId.Type, AzureTableHistoryStore.Escape(grainId.Key.ToString()!));

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        _inner.ReadStateAsync(stateName, Escaped(grainId), grainState);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        _inner.WriteStateAsync(stateName, Escaped(grainId), grainState);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        _inner.ClearStateAsync(stateName, Escaped(grainId), grainState);
}
