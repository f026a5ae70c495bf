namespace Dashboard.Benchmarks.Infrastructure;

/// <summary>
/// Log-linear latency histogram (about 1% resolution from 1 µs to minutes) in a fixed array:
/// millions of samples per run without storing them. Not thread-safe: one per writer, then <see cref="Add(LatencyHistogram)"/>.
/// </summary>
public sealed class LatencyHistogram
{
    private const double Growth = 1.01;
    private const int Buckets = 2400;
    private static readonly double LogGrowth = Math.Log(Growth);

    private readonly long[] _counts = new long[Buckets];

    public long Count { get; private set; }

    public double MaxMilliseconds { get; private set; }

    public void Record(double milliseconds)
    {
        var micros = Math.Max(1.0, milliseconds * 1000.0);
        var index = Math.Min(Buckets - 1, (int)(Math.Log(micros) / LogGrowth));
        _counts[index]++;
        Count++;
        MaxMilliseconds = Math.Max(MaxMilliseconds, milliseconds);
    }

    public void Add(LatencyHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (var i = 0; i < Buckets; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
        MaxMilliseconds = Math.Max(MaxMilliseconds, other.MaxMilliseconds);
    }

    /// <summary>The upper edge of the bucket holding the given quantile (0..1), in ms; NaN when empty.</summary>
    public double Percentile(double quantile)
    {
        if (Count == 0)
        {
            return double.NaN;
        }

        var rank = (long)Math.Ceiling(quantile * Count);
        long seen = 0;
        for (var i = 0; i < Buckets; i++)
        {
            seen += _counts[i];
            if (seen >= Math.Max(1, rank))
            {
                return Math.Min(MaxMilliseconds, Math.Pow(Growth, i + 1) / 1000.0);
            }
        }

        return MaxMilliseconds;
    }
}
