using System.Globalization;

namespace Dashboard.Benchmarks.Infrastructure;

/// <summary><c>--name value</c> options after the benchmark's name.</summary>
public sealed class HarnessArgs(IReadOnlyList<string> args)
{
    public string? Value(string name)
    {
        for (var i = 0; i < args.Count - 1; i++)
        {
            if (args[i] == "--" + name)
            {
                return args[i + 1];
            }
        }

        return null;
    }

    public int Int(string name, int fallback) =>
        Value(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public long Long(string name, long fallback) =>
        Value(name) is { } v ? long.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public double Double(string name, double fallback) =>
        Value(name) is { } v ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;

    /// <summary>Comma-separated integers (e.g. <c>--size 10,25,50</c>).</summary>
    public int[] Ints(string name, int[] fallback) =>
        Value(name) is { } v ? [.. v.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))] : fallback;
}
