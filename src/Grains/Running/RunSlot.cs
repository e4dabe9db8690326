namespace NodeDb.Orleans.Grains.Running;

/// <summary>
/// One of the silo's slots (<see cref="SchedulerOptions.MaxConcurrentJobs"/>, and one of its tenant's
/// <see cref="SchedulerOptions.MaxConcurrentRunsPerTenant"/>), held by a run from its start. A runner that queues runs
/// for a tenant's writer (group commit) passes the slot on: the run that starts the writer's lane hands its slot to the
/// lane, which holds it for as long as it runs transactions; a run that joins a lane already running frees its own at
/// once. The cap then counts what it is meant to bound, transactions open against tenant databases, and a run waiting
/// a few milliseconds for its group does not keep the next tenant's run out of a slot.
/// </summary>
/// <remarks>Freed exactly once: by the lane it was handed to, by the runner, or at the run's end, whichever owns it.</remarks>
public sealed class RunSlot
{
    private const int HeldByRun = 0;
    private const int HeldByLane = 1;
    private const int Free = 2;

    /// <summary>
    /// How many runs a tenant's writer queue holds whose slots were freed; a run that finds the queue longer keeps its
    /// slot until it ends, so a database that falls behind pushes back on the silo's queue (where a run that cannot
    /// start within the grace is Rejected) instead of growing the writer's queue without bound.
    /// </summary>
    public const int QueuedWithoutSlot = 128;

    private readonly IRunSlotPool _pool;
    private int _state;

    internal RunSlot(IRunSlotPool pool, string tenant)
    {
        _pool = pool;
        Tenant = tenant;
    }

    /// <summary>The tenant whose share the slot counts in.</summary>
    public string Tenant { get; }

    /// <summary>
    /// The run waits for a lane that holds a slot of its own: frees this one for the next run (idempotent). Does nothing
    /// once the slot was handed to a lane.
    /// </summary>
    public void Release()
    {
        if (Interlocked.CompareExchange(ref _state, Free, HeldByRun) == HeldByRun)
        {
            _pool.FreeSlot(Tenant);
        }
    }

    /// <summary>
    /// A writer starts a lane on this run's slot: the lane owns it from now on and frees it with
    /// <see cref="ReleaseLane"/>; the run's end no longer does. Null when the run no longer holds it (a retry).
    /// </summary>
    public RunSlot? HandToLane() => Interlocked.CompareExchange(ref _state, HeldByLane, HeldByRun) == HeldByRun ? this : null;

    /// <summary>The lane that was handed this slot stops: frees it.</summary>
    public void ReleaseLane()
    {
        if (Interlocked.CompareExchange(ref _state, Free, HeldByLane) == HeldByLane)
        {
            _pool.FreeSlot(Tenant);
        }
    }

    /// <summary>
    /// Another slot of the same tenant for a further lane of its writer (a lane whose body stalls), when the caps allow it
    /// and no run waits for a slot (those come first); null otherwise. The new slot is the lane's: free it with
    /// <see cref="ReleaseLane"/>.
    /// </summary>
    public RunSlot? TryTakeForLane() => _pool.TryTakeSlotForLane(Tenant);

    internal static RunSlot ForLane(IRunSlotPool pool, string tenant) => new(pool, tenant) { _state = HeldByLane };

    /// <summary>The run ended: frees the slot if the run still holds it.</summary>
    internal void ReleaseAtRunEnd() => Release();
}
