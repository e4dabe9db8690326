namespace NodeDb.Orleans.Grains.Running;

/// <summary>
/// Where one dispatch of a run stands on the silo that accepted it. A run's whole life is: claimed (in its schedule's
/// state, before any of these) → <see cref="Held"/> or <see cref="Queued"/> → <see cref="Running"/> →
/// <see cref="Finishing"/> → settled by its schedule grain (the dispatcher forgets it). A held or queued run may also
/// end without running (cancelled, rejected at its deadline, the silo stopping): it goes to <see cref="Finishing"/>
/// with that outcome. See <see cref="DispatchedRun"/> for the allowed transitions.
/// </summary>
public enum RunPhase
{
    /// <summary>Armed ahead: waiting for its instant, holding no slot.</summary>
    Held,

    /// <summary>Its instant has come: waiting in the fair queue for a slot.</summary>
    Queued,

    /// <summary>Holds a slot; its body runs against the tenant's database.</summary>
    Running,

    /// <summary>Ended (or refused); its completion is on its way to the schedule grain.</summary>
    Finishing,

    /// <summary>Ended, but its completion could not be delivered: it waits here until the grain collects it.</summary>
    Parked,
}
