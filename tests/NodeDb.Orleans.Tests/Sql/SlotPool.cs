using NodeDb.Orleans.Grains.Running;

namespace NodeDb.Orleans.Tests.Sql;

/// <summary>The dispatcher's slot count for these tests: slots taken by runs, and by writers' further lanes within the capacity.</summary>
internal sealed class SlotPool(int capacity) : IRunSlotPool
{
    private int _used;
    private int _takenForLanes;
    private int _refused;

    public int Used => Volatile.Read(ref _used);

    public int TakenForLanes => Volatile.Read(ref _takenForLanes);

    public int Refused => Volatile.Read(ref _refused);

    /// <summary>A run starts: it takes a slot, as the dispatcher gives one to each run it starts.</summary>
    public RunSlot Take(string tenant)
    {
        Interlocked.Increment(ref _used);
        return new RunSlot(this, tenant);
    }

    public void FreeSlot(string tenant) => Assert.True(Interlocked.Decrement(ref _used) >= 0, "a slot was freed twice");

    public RunSlot? TryTakeSlotForLane(string tenant)
    {
        while (true)
        {
            var used = Used;
            if (used >= capacity)
            {
                Interlocked.Increment(ref _refused);
                return null;
            }

            if (Interlocked.CompareExchange(ref _used, used + 1, used) == used)
            {
                Interlocked.Increment(ref _takenForLanes);
                return RunSlot.ForLane(this, tenant);
            }
        }
    }
}
