namespace NodeDb.Orleans.Grains.Schedules;

/// <summary>The silo-side face of a schedule grain: pokes from the tick service and run completions from dispatchers.</summary>
[Alias("nodedb.IScheduleRuntimeGrain")]
public interface IScheduleRuntimeGrain : IGrainWithStringKey
{
    /// <summary>Observes the clock and fires what is pending. Safe to call at any time: it fires each occurrence once.</summary>
    [Alias("Tick")]
    Task TickAsync();

    /// <summary>Records the end of a run and starts what waits behind it. A completion for an unknown run id is ignored.</summary>
    [Alias("CompleteRun")]
    Task CompleteRunAsync(RunCompletion completion);
}
