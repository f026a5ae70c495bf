namespace Dashboard.Benchmarks.Infrastructure;

/// <summary>The middle of repeated measurements (the mean of the two middle ones for an even count); NaN entries, arms that measured nothing, are left out.</summary>
public static class Median
{
    public static double Of(IEnumerable<double> values)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
