using NodeDb.Orleans.Grains.Ticking;

namespace NodeDb.Orleans.Tests.Ticking;

/// <summary>The tick index's retries: a failed poke's retry outlives the failed activation's deactivation.</summary>
public sealed class DueIndexTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 5, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_retry_survives_the_failed_activation_removing_its_entry()
    {
        var index = new DueIndex();
        index.Set("t/s", T0);
        Assert.Equal(["t/s"], index.TakeDue(T0));

        // The poke failed: the tick service schedules a retry; then the failed activation deactivates and removes its entry.
        index.SetRetry("t/s", T0.AddSeconds(1));
        index.Remove("t/s");

        Assert.Empty(index.TakeDue(T0.AddMilliseconds(999)));
        Assert.Equal(["t/s"], index.TakeDue(T0.AddSeconds(1)));
        Assert.Empty(index.TakeDue(T0.AddSeconds(2)));
    }

    [Fact]
    public void An_entry_and_a_retry_due_together_poke_once_and_a_fresh_registration_replaces_the_retry()
    {
        var index = new DueIndex();
        index.SetRetry("a", T0);
        index.Set("a", T0);
        index.SetRetry("b", T0);
        index.Set("b", T0.AddMinutes(1));

        Assert.Equal(["a"], index.TakeDue(T0));
        Assert.Equal(["b"], index.TakeDue(T0.AddMinutes(1)));
        Assert.Equal(0, index.Count);
    }

    [Fact]
    public void A_retry_while_the_entry_lives_on_pokes_at_the_earlier_of_the_two()
    {
        var index = new DueIndex();
        index.Set("a", T0.AddMinutes(1));
        index.SetRetry("a", T0.AddSeconds(1));

        Assert.Equal(["a"], index.TakeDue(T0.AddSeconds(1)));
        Assert.Equal(["a"], index.TakeDue(T0.AddMinutes(1)));
    }
}
