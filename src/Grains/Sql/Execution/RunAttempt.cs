using NodeDb.Orleans.Grains.Running;
using NodeDb.Orleans.Grains.Sql.Text;

namespace NodeDb.Orleans.Grains.Sql.Execution;

/// <summary>One attempt of a run, as an engine executes it.</summary>
internal sealed record RunAttempt(JobRequest Request, SqlBody Body, int Number, DateTimeOffset Now)
{
    /// <summary>The runner's clock, for the durations an engine measures.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>How long the attempt waited for the tenant's writer before its body began (set by engines that queue).</summary>
    public TimeSpan? WaitedForWriter { get; set; }
}
