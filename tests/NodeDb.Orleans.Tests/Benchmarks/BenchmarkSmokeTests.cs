using NodeDb.Orleans.Benchmarks;
using NodeDb.Orleans.Benchmarks.Measuring;
using NodeDb.Orleans.Benchmarks.Scenarios;

namespace NodeDb.Orleans.Tests.Benchmarks;

/// <summary>The benchmark's wiring, in seconds: both systems start, fire and are counted. The figures are not asserted.</summary>
public sealed class BenchmarkSmokeTests
{
    [Fact]
    public async Task Punctuality_with_tiny_sizes_fires_on_both_systems_and_prints_the_comparison()
    {
        var log = new StringWriter();

        var tables = await BenchmarkRun.RunAsync(BenchSettings.Tiny, ["s1"], log);

        var table = Assert.Single(tables);
        var text = table.Render();
        Assert.Contains("S1 punctuality: 5 schedules every second", text, StringComparison.Ordinal);
        // 5 schedules × 1 s: each system must have fired at least once, or the row would read 0.
        var fired = text.Split('\n').Single(l => l.StartsWith("| runs fired", StringComparison.Ordinal)).Split('|', StringSplitOptions.TrimEntries);
        Assert.True(int.Parse(fired[2], System.Globalization.CultureInfo.InvariantCulture) > 0, text);
        Assert.True(int.Parse(fired[3], System.Globalization.CultureInfo.InvariantCulture) > 0, text);
        Assert.Contains("storage operations during the window", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Lateness_summary_counts_distinct_occurrences_duplicates_and_early_starts_inside_the_window()
    {
        var t = new DateTimeOffset(2026, 1, 5, 12, 0, 0, TimeSpan.Zero);
        JobStart Start(string s, int second, double lateMs) => new(s, t.AddSeconds(second), t.AddSeconds(second).AddMilliseconds(lateMs));
        JobStart[] starts =
        [
            Start("a", 0, 5), Start("a", 0, 7), // a duplicate of one occurrence
            Start("b", 0, -1),                 // early
            Start("a", 1, 10),
            Start("a", 2, 1),                  // outside [t, t+2s)
        ];

        var summary = LatenessSummary.Of(starts, t, t.AddSeconds(2), expected: 4);

        Assert.Equal(3, summary.Fired);
        Assert.Equal(1, summary.Duplicates);
        Assert.Equal(1, summary.Early);
        Assert.Equal(10, summary.Max);
        Assert.Equal(75, summary.FiredPercent);
    }

    [Theory]
    [InlineData(50, 2)]
    [InlineData(99, 4)]
    [InlineData(100, 4)]
    [InlineData(1, 1)]
    public void Percentiles_use_the_nearest_rank(double percentile, double expected)
    {
        Assert.Equal(expected, new Percentiles([4, 1, 3, 2]).At(percentile));
    }
}
