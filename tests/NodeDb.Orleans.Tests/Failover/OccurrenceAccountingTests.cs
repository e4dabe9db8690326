namespace NodeDb.Orleans.Tests.Failover;

/// <summary>The accounting the failover and chaos tests rest on, checked on hand-made histories.</summary>
public sealed class OccurrenceAccountingTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 5, 12, 0, 0, TimeSpan.Zero);

    private static RunRecord Row(int second, RunStatus status, string? reason = null) => new()
    {
        RunId = $"s.g1.{second}",
        Tenant = "t",
        Schedule = "s",
        Status = status,
        Trigger = RunTrigger.Cron,
        ScheduledAt = T0.AddSeconds(second),
        Reason = reason,
    };

    private static Dictionary<string, int> Effects(params int[] seconds) => seconds.ToDictionary(s => $"s.g1.{s}", _ => 1);

    [Fact]
    public void Only_the_final_disables_trailing_withdrawals_leave_the_count()
    {
        RunRecord[] history =
        [
            Row(0, RunStatus.Succeeded), Row(1, RunStatus.Succeeded),
            Row(2, RunStatus.Cancelled, OccurrenceAccounting.FinalDisableReason),
            Row(3, RunStatus.Cancelled, OccurrenceAccounting.FinalDisableReason),
        ];

        var accounting = OccurrenceAccounting.Check("s", history, Effects(0, 1), T0.AddSeconds(3));

        Assert.Equal((2, 2, 2, 0), (accounting.Occurrences, accounting.Ran, accounting.Withdrawn, accounting.Other));
        Assert.Empty(accounting.Problems);
    }

    [Theory]
    [InlineData("paused by alice before its instant")]
    [InlineData("the schedule's cron or zone changed before its instant")]
    [InlineData(OccurrenceAccounting.FinalDisableReason)] // a disable in the middle, followed by a re-enable
    public void A_withdrawal_before_the_end_is_an_occurrence_that_did_not_run(string reason)
    {
        RunRecord[] history = [Row(0, RunStatus.Succeeded), Row(1, RunStatus.Cancelled, reason), Row(2, RunStatus.Succeeded)];

        var accounting = OccurrenceAccounting.Check("s", history, Effects(0, 2), T0.AddSeconds(2));

        Assert.Equal((3, 2, 0, 1), (accounting.Occurrences, accounting.Ran, accounting.Withdrawn, accounting.Other));
    }

    [Fact]
    public void A_pause_at_the_end_is_not_the_final_disable()
    {
        RunRecord[] history = [Row(0, RunStatus.Succeeded), Row(1, RunStatus.Cancelled, "paused by alice before its instant")];

        var accounting = OccurrenceAccounting.Check("s", history, Effects(0), T0.AddSeconds(1));

        Assert.Equal((2, 0, 1), (accounting.Occurrences, accounting.Withdrawn, accounting.Other));
    }
}
