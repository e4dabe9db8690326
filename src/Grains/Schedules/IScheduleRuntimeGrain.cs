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

    /// <summary>
    /// Silo <paramref name="fromSilo"/> is stopping: when this activation lives there, it takes back its runs that have
    /// not started, keeps them to start first, and migrates to <paramref name="toSilo"/>, which dispatches them at their
    /// instant. Anywhere else a no-op. Returns whether this activation moved.
    /// </summary>
    [Alias("HandOff")]
    Task<bool> HandOffAsync(string fromSilo, string toSilo);
}
