using System.Diagnostics;

namespace NodeDb.Orleans.Grains.Sql.Execution;

/// <summary>An attempt queued for a tenant's writer (<see cref="SqliteTenantWriter"/>, <see cref="PostgresTenantWriter"/>) and what settles it.</summary>
internal class QueuedAttempt(RunAttempt attempt, CancellationToken cancellationToken)
{
    public RunAttempt Attempt { get; } = attempt;

    public CancellationToken CancellationToken { get; } = cancellationToken;

    public TaskCompletionSource<AttemptResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public CancellationTokenRegistration Registration { get; set; }

    /// <summary>Whether the writer has begun it; a cancellation before that completes it, after that stops its statement.</summary>
    public bool Started { get; set; }

    /// <summary>The attempt's span, current when it queued: the parent of its database spans.</summary>
    public Activity? Parent { get; } = Activity.Current;

    /// <summary>When it queued (a timestamp: the wait is a duration, the same under any scheduler clock).</summary>
    public long QueuedAt { get; } = attempt.Time.GetTimestamp();
}
