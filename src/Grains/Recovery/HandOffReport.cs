namespace NodeDb.Orleans.Grains.Recovery;

/// <summary>What a stopping silo's hand-off did (<see cref="ShutdownHandOff"/>).</summary>
/// <param name="Moved">Schedules handed to a survivor.</param>
/// <param name="Failed">Schedules whose hand-off failed: the failure path settles them once this silo is gone.</param>
/// <param name="Passes">Passes over the tick index (later passes catch schedules activated here meanwhile).</param>
/// <param name="Survivors">Active silos it could hand to; zero means nothing was handed over.</param>
/// <param name="Elapsed">How long it took.</param>
public sealed record HandOffReport(int Moved, int Failed, int Passes, int Survivors, TimeSpan Elapsed);
