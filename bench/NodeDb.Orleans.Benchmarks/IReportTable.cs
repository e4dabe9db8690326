namespace NodeDb.Orleans.Benchmarks;

/// <summary>One table of the benchmark's output.</summary>
public interface IReportTable
{
    string Title { get; }

    IReadOnlyList<string> Notes { get; }

    /// <summary>Targets checked and missed.</summary>
    int Missed { get; }

    /// <summary>The table as Markdown, with its notes.</summary>
    string Render();
}
