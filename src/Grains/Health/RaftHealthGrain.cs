using Microsoft.Extensions.Options;
using NodeDb.Orleans.Grains.Hosting;
using Orleans.Concurrency;

namespace NodeDb.Orleans.Grains.Health;

/// <summary>Holds the last status report of one replication group and answers whether its schedules may fire.</summary>
/// <remarks>
/// The report lives in memory only: a report is worth something for <see cref="SchedulerOptions.HealthStaleAfter"/>,
/// and a lost one is treated exactly like a stale one, so persisting it would buy nothing.
/// </remarks>
public sealed class RaftHealthGrain(SchedulerClock clock, IOptions<SchedulerOptions> options) : Grain, IRaftHealthGrain
{
    /// <summary>How far ahead of the silo's clock a report's date may be (clock skew between the database and the silo).</summary>
    public static readonly TimeSpan FutureTolerance = TimeSpan.FromSeconds(2);

    private readonly SchedulerOptions _options = options.Value;
    private RaftStatusReport? _report;

    public Task ReportAsync(RaftStatusReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report.CommitIndex < 0 || report.LastApplied < 0)
        {
            throw new ArgumentException(
                $"Raft report for group '{this.GetPrimaryKeyString()}' has a negative index (commit {report.CommitIndex}, applied {report.LastApplied}).",
                nameof(report));
        }

        // Stamped with this silo's clock on receipt: a report never counts as newer than its arrival, and one dated
        // in the future (which would hold a group "fresh" and stop or free its firing for as long as it claims) is refused.
        var now = clock.GetUtcNow();
        if (report.ReportedAt is { } claimed && claimed > now + FutureTolerance)
        {
            throw new NodeDbException(
                ErrorCodes.InvalidDefinition,
                $"Raft report for group '{this.GetPrimaryKeyString()}' is dated {claimed:O}, in the future of this silo's clock ({now:O}): refused.");
        }

        _report = report with { ReportedAt = report.ReportedAt is { } at && at < now ? at : now };
        return Task.CompletedTask;
    }

    [ReadOnly]
    public Task<RaftStatusReport?> GetReportAsync() => Task.FromResult(_report);

    [ReadOnly]
    public Task<HealthVerdict> CheckAsync() =>
        Task.FromResult(Judge(this.GetPrimaryKeyString(), _report, clock.GetUtcNow(), _options));

    /// <summary>The gate of DESIGN §5 step 2, pure.</summary>
    public static HealthVerdict Judge(string group, RaftStatusReport? report, DateTimeOffset now, SchedulerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (report is null)
        {
            return new HealthVerdict(!options.HealthFailClosed, $"no health report for group {group}", null);
        }

        var age = now - report.ReportedAt!.Value;
        if (age > options.HealthStaleAfter)
        {
            return new HealthVerdict(
                !options.HealthFailClosed,
                $"health report for group {group} is stale ({age.TotalSeconds:F0} s old, limit {options.HealthStaleAfter.TotalSeconds:F0} s)",
                report);
        }

        if (string.IsNullOrEmpty(report.LeaderId))
        {
            return new HealthVerdict(false, $"group {group} has no known leader", report);
        }

        if (report.CommitIndex > report.LastApplied)
        {
            return new HealthVerdict(
                false,
                $"group {group} is lagging (commitIndex {report.CommitIndex} > lastApplied {report.LastApplied})",
                report);
        }

        return HealthVerdict.Healthy(report, $"group {group} is healthy (leader {report.LeaderId})");
    }
}
