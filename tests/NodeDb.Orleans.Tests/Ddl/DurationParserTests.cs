using NodeDb.Orleans.Grains.Ddl;

namespace NodeDb.Orleans.Tests.Ddl;

public sealed class DurationParserTests
{
    [Theory]
    [InlineData("90s", 90_000)]
    [InlineData("5m", 300_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("500ms", 500)]
    [InlineData("1m30s250ms", 90_250)]
    [InlineData("1d", 86_400_000)]
    [InlineData("00:05:00", 300_000)]
    [InlineData("90", 90_000)]
    [InlineData("1.5", 1_500)]
    [InlineData("-5s", -5_000)]
    [InlineData("0", 0)]
    public void Reads_each_form(string text, long milliseconds)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), DurationParser.TryParse(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("5x")]
    [InlineData("30m1h")]
    [InlineData("1h1h")]
    [InlineData("1h30")]
    [InlineData("ms")]
    [InlineData("1:2:3:4:5")]
    public void Refuses_anything_else(string text)
    {
        Assert.Null(DurationParser.TryParse(text));
    }
}
