using System.Diagnostics;
using NodeDb.Orleans.Benchmarks.Measuring;
using Orleans;
using Orleans.Runtime;
using Orleans.Storage;

namespace NodeDb.Orleans.Benchmarks.NodeDb;

/// <summary>Counts every read, write and clear on the way to the real grain storage.</summary>
public sealed class CountingGrainStorage(IGrainStorage inner, StorageCounter counter) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        counter.GrainRead();
        return inner.ReadStateAsync(stateName, grainId, grainState);
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        counter.GrainRead();
        return inner.ReadStateAsync(stateName, grainId, grainState, cancellationToken);
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        WriteStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        counter.GrainWrite(stateName);
        var started = Stopwatch.GetTimestamp();
        await inner.WriteStateAsync(stateName, grainId, grainState, cancellationToken);
        counter.WriteTook(Stopwatch.GetElapsedTime(started));
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        counter.GrainWrite();
        return inner.ClearStateAsync(stateName, grainId, grainState);
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        counter.GrainWrite();
        return inner.ClearStateAsync(stateName, grainId, grainState, cancellationToken);
    }

    public void Participate(ISiloLifecycle lifecycle)
    {
        if (inner is ILifecycleParticipant<ISiloLifecycle> participant)
        {
            participant.Participate(lifecycle);
        }
    }
}
