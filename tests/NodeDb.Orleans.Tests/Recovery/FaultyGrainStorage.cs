using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace NodeDb.Orleans.Tests.Recovery;

/// <summary>
/// The real grain storage of a silo with writes that fail on demand: a decorator registered in place of the named
/// provider, so everything else (ETags, reads, the provider itself) is the real one.
/// </summary>
public sealed class FaultyGrainStorage(IGrainStorage inner, StorageFaults faults) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>Replaces the keyed <see cref="IGrainStorage"/> <paramref name="name"/> with a faulty decorator of it.</summary>
    public static void Wrap(IServiceCollection services, string name, StorageFaults faults)
    {
        var original = services.Last(d => d.ServiceType == typeof(IGrainStorage) && d.IsKeyedService && Equals(d.ServiceKey, name));
        services.Remove(original);
        services.AddKeyedSingleton<IGrainStorage>(name, (sp, key) => new FaultyGrainStorage(
            (IGrainStorage)(original.KeyedImplementationInstance
                            ?? original.KeyedImplementationFactory?.Invoke(sp, key)
                            ?? ActivatorUtilities.CreateInstance(sp, original.KeyedImplementationType!)),
            faults));
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(stateName, grainId, grainState);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        faults.ThrowIfFailing(stateName, grainId);
        return inner.WriteStateAsync(stateName, grainId, grainState);
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        faults.ThrowIfFailing(stateName, grainId);
        return inner.ClearStateAsync(stateName, grainId, grainState);
    }

    /// <summary>Lets a provider that starts with the silo (the SQLite one creates its schema) start as it would undecorated.</summary>
    public void Participate(ISiloLifecycle lifecycle) => (inner as ILifecycleParticipant<ISiloLifecycle>)?.Participate(lifecycle);
}
