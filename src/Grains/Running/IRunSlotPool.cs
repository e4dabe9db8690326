namespace NodeDb.Orleans.Grains.Running;

/// <summary>Where <see cref="RunSlot"/>s come from and go back to: the silo's caps (<see cref="JobDispatcher"/>).</summary>
internal interface IRunSlotPool
{
    /// <summary>A slot of <paramref name="tenant"/> is free again: the next waiting runs start.</summary>
    void FreeSlot(string tenant);

    /// <summary>A slot for a further lane of <paramref name="tenant"/>'s writer, or null when the caps or waiting runs say no.</summary>
    RunSlot? TryTakeSlotForLane(string tenant);
}
