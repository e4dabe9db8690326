namespace NodeDb.Orleans.Benchmarks;

/// <summary>A scenario that broke off: its error instead of a table, counted as one missed target.</summary>
public sealed class FailedScenario(string title, Exception error) : IReportTable
{
    public string Title { get; } = title;

    public IReadOnlyList<string> Notes { get; } = [$"{error.GetType().Name}: {error.Message}"];

    public int Missed => 1;

    public string Render() => $"### {Title}: FAILED{Environment.NewLine}{Environment.NewLine}{Notes[0]}{Environment.NewLine}";
}
