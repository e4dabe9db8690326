using System.Collections.Immutable;
using Orleans.Concurrency;

namespace NodeDb.Orleans.Grains.History;

/// <summary>A spilled outbox chunk. See <see cref="IOutboxChunkGrain"/>.</summary>
/// <remarks>Touched only while history is down or catching up, so an idle chunk goes after 2 minutes.</remarks>
[CollectionAgeLimit(Minutes = 2)]
public sealed class OutboxChunkGrain(
    [PersistentState("outbox-chunk", StorageNames.Schedules)] IPersistentState<OutboxChunkState> state) : Grain, IOutboxChunkGrain
{
    public async Task WriteAsync(ImmutableArray<RunRecord> rows)
    {
        state.State.Rows = [.. rows];
        await state.WriteStateAsync();
    }

    [ReadOnly]
    public Task<ImmutableArray<RunRecord>> ReadAsync() => Task.FromResult(state.State.Rows.ToImmutableArray());

    public async Task ClearAsync()
    {
        if (state.RecordExists)
        {
            await state.ClearStateAsync();
        }

        DeactivateOnIdle();
    }
}
