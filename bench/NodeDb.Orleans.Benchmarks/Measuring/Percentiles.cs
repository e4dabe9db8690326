namespace NodeDb.Orleans.Benchmarks.Measuring;

/// <summary>Nearest-rank percentiles over a sample of milliseconds.</summary>
public sealed class Percentiles
{
    private readonly double[] _sorted;

    public Percentiles(IEnumerable<double> samples)
    {
        _sorted = [.. samples.Order()];
    }

    public int Count => _sorted.Length;

    public double Max => _sorted.Length == 0 ? double.NaN : _sorted[^1];

    public double Min => _sorted.Length == 0 ? double.NaN : _sorted[0];

    public double At(double percentile)
    {
        if (_sorted.Length == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(percentile / 100.0 * _sorted.Length);
        return _sorted[Math.Clamp(rank - 1, 0, _sorted.Length - 1)];
    }
}
