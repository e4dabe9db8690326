using Microsoft.Extensions.Time.Testing;
using NodeDb.Orleans.Client.Connection;
using Orleans.Runtime;
using Orleans.Runtime.Messaging;

namespace NodeDb.Orleans.Tests.Client;

/// <summary>The client's bounded retry: gateway errors are retried with backoff within the budget, refusals never.</summary>
public sealed class BackoffTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 5, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Gateway_connection_errors_are_retried_with_backoff_until_the_cluster_answers()
    {
        var calledAt = new List<DateTimeOffset>();
        var task = new Backoff(_time, TimeSpan.FromSeconds(20)).RunAsync(
            () =>
            {
                calledAt.Add(_time.GetUtcNow());
                return calledAt.Count < 4 ? throw new ConnectionFailedException("Unable to connect to 127.0.0.1:32111. Error: ConnectionRefused") : Task.FromResult("answer");
            },
            TransientErrors.NotDelivered,
            TestContext.Current.CancellationToken);

        await AdvanceUntilDoneAsync(task);

        Assert.Equal("answer", await task);
        Assert.Equal(4, calledAt.Count);
        int[] backoffMs = [200, 400, 800];
        for (var i = 0; i < backoffMs.Length; i++)
        {
            var gap = calledAt[i + 1] - calledAt[i];
            Assert.True(gap >= TimeSpan.FromMilliseconds(backoffMs[i]), $"retry {i + 1} came after {gap}, before its {backoffMs[i]} ms backoff");
        }
    }

    [Fact]
    public async Task A_refusal_by_the_service_is_never_retried()
    {
        var calls = 0;
        var task = new Backoff(_time, TimeSpan.FromSeconds(20)).RunAsync<int>(
            () =>
            {
                calls++;
                throw new NodeDbException(ErrorCodes.NotFound, "Schedule 'x' does not exist.");
            },
            TransientErrors.MaybeDelivered,
            TestContext.Current.CancellationToken);

        await Assert.ThrowsAsync<NodeDbException>(() => task);
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task A_dead_silo_is_retried_only_for_commands_that_may_repeat_and_the_budget_ends_with_a_clear_error()
    {
        // A spent budget turns a transient error into UnreachableException at once, and leaves any other error as it is.
        Task<int> Run(Func<Exception, bool> transient) => new Backoff(_time, TimeSpan.Zero).RunAsync<int>(
            () => throw new SiloUnavailableException("silo 127.0.0.1:22111 is dead"),
            transient,
            TestContext.Current.CancellationToken);

        await Assert.ThrowsAsync<SiloUnavailableException>(() => Run(TransientErrors.NotDelivered));
        var error = await Assert.ThrowsAsync<UnreachableException>(() => Run(TransientErrors.MaybeDelivered));
        Assert.Contains("1 attempt(s)", error.Message);
        Assert.Contains("silo 127.0.0.1:22111 is dead", error.Message);
    }

    /// <summary>Moves the fake clock in small steps while the retry waits; returns how much fake time passed.</summary>
    private async Task<TimeSpan> AdvanceUntilDoneAsync(Task task)
    {
        var start = _time.GetUtcNow();
        for (var i = 0; i < 10_000 && !task.IsCompleted; i++)
        {
            await Task.Yield();
            if (!task.IsCompleted)
            {
                _time.Advance(TimeSpan.FromMilliseconds(100));
            }
        }

        return _time.GetUtcNow() - start;
    }
}
