using Dashboard.State;

namespace Dashboard.Storage;

/// <summary>
/// How every store thins a graph's history for a range: not at all when it has no more points
/// than asked for; else the last point of each of equal time buckets laid over the time the points
/// cover (first to last), not over the whole range. Buckets over the range squeezed a history
/// shorter than it (a dashboard started an hour ago, seen over 24 h) into one or two points.
/// </summary>
internal static class GraphDownsampling
{
    /// <summary>The bucket width in ticks: 1 (every point its own) when the points fit; else at most <paramref name="maxPoints"/> buckets from first to last.</summary>
    public static long Bucket(long count, long first, long last, int maxPoints) =>
        count <= Math.Max(1, maxPoints) ? 1 : Math.Max(1, ((last - first) / Math.Max(1, maxPoints)) + 1);

    /// <summary>The same thinning in memory, for points in time order.</summary>
    public static IReadOnlyList<GraphPoint> Downsample(IReadOnlyList<GraphPoint> points, int maxPoints)
    {
        if (points.Count == 0)
        {
            return points;
        }

        var first = points[0].At.UtcTicks;
        var bucket = Bucket(points.Count, first, points[^1].At.UtcTicks, maxPoints);
        if (bucket == 1)
        {
            return points;
        }

        var kept = new List<GraphPoint>();
        for (var i = 0; i < points.Count; i++)
        {
            if (i == points.Count - 1 || (points[i + 1].At.UtcTicks - first) / bucket != (points[i].At.UtcTicks - first) / bucket)
            {
                kept.Add(points[i]);
            }
        }

        return kept;
    }
}
