namespace NodeDb.Orleans.Grains.Schedules;

/// <summary>
/// A schedule grain without a schedule reads its state again before each call, because a bulk create
/// (<see cref="BulkScheduleWriter"/>) writes new schedules' state without their grain.
/// </summary>
/// <remarks>
/// Without this an activation made a moment before the bulk create (a status read of the name, a stray wake entry's poke)
/// would go on believing "no schedule" for as long as it lives: answer status with "does not exist", and, worse, treat a
/// tick, reminder or DROP as meant for a schedule that is gone (removing its reminder, wake entry or index entry). The
/// read costs nothing on the paths that matter: a schedule that exists never does it, and a create checks storage itself
/// (its write expects "no row" and conflicts with a row written meanwhile: <c>CreateDurablyAsync</c>).
/// </remarks>
public sealed partial class ScheduleGrain : IIncomingGrainCallFilter
{
    // Concurrent read-only calls may both find the definition absent: they share one read.
    private Task? _rereading;

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (Definition is null && context.MethodName != nameof(IScheduleGrain.CreateAsync))
        {
            await RereadIfAbsentAsync();
        }

        await context.Invoke();
    }

    private Task RereadIfAbsentAsync()
    {
        if (_rereading is { IsCompleted: false } running)
        {
            return running;
        }

        return _rereading = ReadAsync();

        async Task ReadAsync()
        {
            await state.ReadStateAsync();
            await StartFromStateAsync();
        }
    }
}
