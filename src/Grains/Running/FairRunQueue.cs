namespace NodeDb.Orleans.Grains.Running;

/// <summary>
/// The runs waiting for a slot, fair across tenants: each tenant has its own lane ordered by scheduled instant, and
/// slots go round-robin over the lanes, skipping a tenant that already holds its share of running bodies. One tenant's
/// burst therefore delays another tenant's runs by at most one run per round, never by the whole burst.
/// </summary>
/// <remarks>Not thread-safe: the dispatcher calls it under its lock.</remarks>
internal sealed class FairRunQueue
{
    private static readonly Comparer<DispatchedRun> ByInstant = Comparer<DispatchedRun>.Create((a, b) =>
    {
        var order = a.OrderInstant.CompareTo(b.OrderInstant);
        return order != 0 ? order : a.Sequence.CompareTo(b.Sequence);
    });

    private static readonly Comparer<DispatchedRun> ByDeadline = Comparer<DispatchedRun>.Create((a, b) =>
    {
        var order = a.Deadline.CompareTo(b.Deadline);
        return order != 0 ? order : a.Sequence.CompareTo(b.Sequence);
    });

    private readonly Dictionary<string, Lane> _lanes = new(StringComparer.Ordinal);
    private readonly LinkedList<Lane> _ring = new();
    private readonly SortedSet<DispatchedRun> _deadlines = new(ByDeadline);
    private LinkedListNode<Lane>? _cursor;

    /// <summary>Runs waiting for a slot.</summary>
    public int Count => _deadlines.Count;

    /// <summary>The earliest deadline among waiting runs.</summary>
    public DateTimeOffset? EarliestDeadline => _deadlines.Count == 0 ? null : _deadlines.Min!.Deadline;

    /// <summary>Bodies running now for <paramref name="tenant"/>.</summary>
    public int RunningOf(string tenant) => _lanes.TryGetValue(tenant, out var lane) ? lane.Running : 0;

    public void Enqueue(DispatchedRun run)
    {
        var lane = LaneOf(run.Ticket.Tenant);
        lane.Waiting.Add(run);
        _deadlines.Add(run);
        if (lane.Node is null)
        {
            // A lane joins the ring just behind the cursor: it is served after every lane already waiting.
            lane.Node = _cursor is null ? _ring.AddLast(lane) : _ring.AddBefore(_cursor, lane);
        }
    }

    /// <summary>
    /// The next run to start: the first waiting run of the next lane, in ring order, whose tenant holds fewer than
    /// <paramref name="perTenant"/> running bodies. Null when no lane may start one.
    /// </summary>
    public DispatchedRun? TryDequeue(int perTenant)
    {
        var node = _cursor ?? _ring.First;
        for (var seen = 0; node is not null && seen < _ring.Count; seen++)
        {
            var lane = node.Value;
            var next = node.Next ?? _ring.First;
            if (lane.Running < perTenant && lane.Waiting.Min is { } run)
            {
                // Counted as running before it leaves the queue, so an emptied lane is not forgotten under it.
                lane.Running++;
                Take(lane, run);

                // The next round starts at the lane after this one (this lane again only when it is the only one).
                _cursor = lane.Node is null ? (ReferenceEquals(next, node) ? null : next) : next;
                return run;
            }

            node = next;
        }

        return null;
    }

    /// <summary>Takes a waiting run out of the queue (cancelled, or rejected at its deadline); false when it was not waiting.</summary>
    public bool Remove(DispatchedRun run)
    {
        if (!_lanes.TryGetValue(run.Ticket.Tenant, out var lane) || !lane.Waiting.Contains(run))
        {
            return false;
        }

        Take(lane, run);
        return true;
    }

    /// <summary>Waiting runs whose deadline is at or before <paramref name="now"/>, taken out of the queue.</summary>
    public List<DispatchedRun> TakeExpired(DateTimeOffset now)
    {
        var expired = new List<DispatchedRun>();
        while (_deadlines.Min is { } run && run.Deadline <= now)
        {
            Take(_lanes[run.Ticket.Tenant], run);
            expired.Add(run);
        }

        return expired;
    }

    /// <summary>A slot of <paramref name="tenant"/> taken outside the queue (a further lane of its writer, see <see cref="RunSlot"/>).</summary>
    public void Started(string tenant) => LaneOf(tenant).Running++;

    /// <summary>A slot of <paramref name="tenant"/> is free: its tenant's share has room again.</summary>
    public void Finished(string tenant)
    {
        if (_lanes.TryGetValue(tenant, out var lane))
        {
            lane.Running--;
            Forget(lane);
        }
    }

    /// <summary>Every waiting run, taken out of the queue (shutdown).</summary>
    public List<DispatchedRun> TakeAll()
    {
        var all = _deadlines.ToList();
        foreach (var run in all)
        {
            Take(_lanes[run.Ticket.Tenant], run);
        }

        return all;
    }

    private void Take(Lane lane, DispatchedRun run)
    {
        lane.Waiting.Remove(run);
        _deadlines.Remove(run);
        if (lane.Waiting.Count == 0 && lane.Node is not null)
        {
            if (_cursor == lane.Node)
            {
                _cursor = lane.Node.Next ?? (_ring.First == lane.Node ? null : _ring.First);
            }

            _ring.Remove(lane.Node);
            lane.Node = null;
        }

        Forget(lane);
    }

    private Lane LaneOf(string tenant)
    {
        if (!_lanes.TryGetValue(tenant, out var lane))
        {
            lane = new Lane(tenant);
            _lanes.Add(tenant, lane);
        }

        return lane;
    }

    /// <summary>A lane with nothing waiting and nothing running is dropped, so 10,000 tenants that ran once cost nothing.</summary>
    private void Forget(Lane lane)
    {
        if (lane.Running == 0 && lane.Waiting.Count == 0 && lane.Node is null)
        {
            _lanes.Remove(lane.Tenant);
        }
    }

    private sealed class Lane(string tenant)
    {
        public string Tenant { get; } = tenant;

        public SortedSet<DispatchedRun> Waiting { get; } = new(ByInstant);

        public int Running { get; set; }

        public LinkedListNode<Lane>? Node { get; set; }
    }
}
