using NodeDb.Orleans.Grains.Schedules;

namespace NodeDb.Orleans.Grains.Running;

/// <summary>
/// One dispatch of a run on this silo: its ticket, its <see cref="RunPhase"/> and the only transitions allowed between
/// phases. The <see cref="RunTicket.Dispatch"/> token names this dispatch, so a completion (or a question) about an
/// older dispatch of the same run never touches a newer one.
/// </summary>
/// <remarks>All transitions happen under the dispatcher's lock; an illegal one is a bug and throws.</remarks>
public sealed class DispatchedRun
{
    private static long _sequence;

    internal DispatchedRun(RunTicket ticket, DateTimeOffset acceptedAt, RunPhase phase)
    {
        Ticket = ticket;
        AcceptedAt = acceptedAt;
        Phase = phase;
        Sequence = Interlocked.Increment(ref _sequence);
        Dispatch = ticket.Dispatch;
    }

    /// <summary>
    /// A newer dispatch of the same run arrived while this one is still here (its schedule lost track of it): this one
    /// answers to the newer token from now on, so its completion settles the run instead of being ignored.
    /// </summary>
    internal void Adopt(string dispatch) => Dispatch = dispatch;

    public RunTicket Ticket { get; }

    public RunKey Key => new(Ticket.ScheduleKey, Ticket.RunId);

    /// <summary>Orders runs with the same instant by arrival.</summary>
    internal long Sequence { get; }

    public DateTimeOffset AcceptedAt { get; }

    public RunPhase Phase { get; private set; }

    /// <summary>When it entered the queue (its instant, for a run armed ahead).</summary>
    public DateTimeOffset? QueuedAt { get; private set; }

    /// <summary>The latest instant it may take a slot; past it, it ends Rejected.</summary>
    public DateTimeOffset Deadline { get; private set; }

    /// <summary>When it took its slot.</summary>
    public DateTimeOffset? StartedAt { get; private set; }

    /// <summary>Its outcome, once <see cref="RunPhase.Finishing"/> or <see cref="RunPhase.Parked"/>.</summary>
    public RunCompletion? Completion { get; private set; }

    /// <summary>The cap's slot the run took when it started (the runner may have passed it on since).</summary>
    internal RunSlot? Slot { get; private set; }

    /// <summary>Set when it is cancelled (by its schedule, or by shutdown); the running body sees it through the token.</summary>
    public string? CancelReason { get; private set; }

    internal CancellationTokenSource Cancellation { get; } = new();

    /// <summary>The token of the dispatch this run answers to: the ticket's, or a newer one that adopted it.</summary>
    public string Dispatch { get; private set; } = "";

    /// <summary>Completes when the run leaves the active phases (its completion delivered, parked, or left to the ledger).</summary>
    internal TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>How long it waited in the queue for its slot.</summary>
    public TimeSpan Waited => StartedAt is { } s && QueuedAt is { } q ? s - q : TimeSpan.Zero;

    /// <summary>The instant the queue orders by: its scheduled instant, else when it arrived.</summary>
    internal DateTimeOffset OrderInstant => Ticket.ScheduledAt ?? AcceptedAt;

    internal void Enqueue(DateTimeOffset now, TimeSpan grace)
    {
        Require(Phase is RunPhase.Held or RunPhase.Queued && QueuedAt is null, "enqueue");
        Phase = RunPhase.Queued;
        QueuedAt = now;

        // A run may wait for a slot until Grace after its instant. A replay of an occurrence older than that (a queue's
        // backlog, a retry after recovery, a manual run) gets Grace from now instead.
        var anchor = Ticket.ScheduledAt is { } at && at >= now - grace ? at : now;
        Deadline = anchor + grace;
    }

    internal void Start(DateTimeOffset now, RunSlot slot)
    {
        Require(Phase == RunPhase.Queued, "start");
        Phase = RunPhase.Running;
        StartedAt = now;
        Slot = slot;
    }

    internal void Finish(RunCompletion completion)
    {
        Require(Phase is RunPhase.Held or RunPhase.Queued or RunPhase.Running, "finish");
        Phase = RunPhase.Finishing;
        Completion = completion;
    }

    internal void Park()
    {
        Require(Phase == RunPhase.Finishing, "park");
        Phase = RunPhase.Parked;
    }

    /// <summary>Marks it cancelled; returns false when it has already ended.</summary>
    internal bool MarkCancelled(string reason)
    {
        if (Phase is RunPhase.Finishing or RunPhase.Parked || CancelReason is not null)
        {
            return false;
        }

        CancelReason = reason;
        return true;
    }

    private void Require(bool allowed, string transition)
    {
        if (!allowed)
        {
            throw new InvalidOperationException($"Run {Ticket.RunId} of {Ticket.ScheduleKey} cannot {transition} from phase {Phase}.");
        }
    }
}

/// <summary>A run on a silo: run ids are unique within a schedule, not across tenants, so the schedule is part of the key.</summary>
public readonly record struct RunKey(string ScheduleKey, string RunId);
