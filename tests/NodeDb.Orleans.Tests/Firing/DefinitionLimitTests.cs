using NodeDb.Orleans.Grains.Hosting;
using NodeDb.Orleans.Tests.Cluster;

namespace NodeDb.Orleans.Tests.Firing;

/// <summary>The definition limits are settings: a silo refuses what its own configuration bounds, naming the setting.</summary>
[Collection(ClusterCollection.Name)]
public sealed class DefinitionLimitTests
{
    [Fact]
    public async Task A_silo_refuses_a_body_a_note_a_timeout_and_retries_beyond_its_configured_limits_naming_each_setting()
    {
        await using var cluster = await SchedulerCluster.StartAsync(silos: 1, configure: o =>
        {
            o.MaxBodyLength = 40;
            o.MaxNoteLength = 10;
            o.MaxTimeout = TimeSpan.FromMinutes(5);
            o.MaxRetries = 2;
        });

        var body = await Assert.ThrowsAsync<NodeDbException>(() => cluster.CreateAsync("t1", "long", "0 * * * *", d => d with { Body = "BEGIN SELECT 'a body longer than forty characters'; END" }));
        var timeout = await Assert.ThrowsAsync<NodeDbException>(() => cluster.CreateAsync("t1", "slow", "0 * * * *", d => d with { Timeout = TimeSpan.FromMinutes(6) }));
        var retries = await Assert.ThrowsAsync<NodeDbException>(() => cluster.CreateAsync("t1", "stubborn", "0 * * * *", d => d with { Retries = 3 }));
        await cluster.CreateAsync("t1", "ok", "0 * * * *", d => d with { Timeout = TimeSpan.FromMinutes(5), Retries = 2 });
        var note = await Assert.ThrowsAsync<NodeDbException>(() => cluster.Schedule("t1", "ok").PauseAsync("ops", "eleven char"));

        Assert.Contains("The body is 55 characters long: at most 40 are accepted (limit Scheduler:MaxBodyLength = 40)", body.Message, StringComparison.Ordinal);
        Assert.Contains("at most 00:05:00 (limit Scheduler:MaxTimeout)", timeout.Message, StringComparison.Ordinal);
        Assert.Contains("RETRIES = 3 must be between 0 and 2 (limit Scheduler:MaxRetries)", retries.Message, StringComparison.Ordinal);
        Assert.Contains("pause note is 11 characters long: at most 10 are accepted (limit Scheduler:MaxNoteLength = 10)", note.Message, StringComparison.Ordinal);
        Assert.All([body, timeout, retries, note], e => Assert.Equal(ErrorCodes.InvalidDefinition, e.Code));
        Assert.Null((await cluster.Schedule("t1", "ok").GetStatusAsync())!.Pause);
        Assert.Null(await cluster.Schedule("t1", "long").GetStatusAsync());
    }

    [Theory]
    [InlineData("MaxTimeout", "MaxTimeout = 8.00:00:00 must be positive and at most 7.00:00:00")]
    [InlineData("DefaultTimeout", "DefaultTimeout = 2.00:00:00 must be positive and at most MaxTimeout = 1.00:00:00")]
    [InlineData("DefaultRetries", "DefaultRetries = 11 must be between 0 and MaxRetries = 10")]
    public void Options_beyond_their_ceilings_stop_the_silo_naming_the_option(string option, string message)
    {
        var options = option switch
        {
            "MaxTimeout" => new SchedulerOptions { MaxTimeout = TimeSpan.FromDays(8) },
            "DefaultTimeout" => new SchedulerOptions { DefaultTimeout = TimeSpan.FromDays(2) },
            _ => new SchedulerOptions { DefaultRetries = 11 },
        };

        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
