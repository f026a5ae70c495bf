using System.Globalization;

namespace Dashboard.State;

/// <summary>Display text for an estimate: "≈ 40 s, from 7 runs", "longer than usual, from 3 runs", "unknown".</summary>
public static class RemainingTimeFormatter
{
    public static string Format(RemainingTimeEstimate estimate)
    {
        ArgumentNullException.ThrowIfNull(estimate);
        if (estimate.Remaining is not { } remaining)
        {
            return "unknown";
        }

        var basis = estimate.BasisRuns == 1 ? "from 1 run" : $"from {estimate.BasisRuns.ToString(CultureInfo.InvariantCulture)} runs";
        return estimate.Overdue
            ? $"longer than usual, {basis}"
            : $"≈ {FormatDuration(remaining)}, {basis}";
    }

    public static string FormatDuration(TimeSpan duration)
    {
        var seconds = (long)Math.Round(Math.Max(0, duration.TotalSeconds), MidpointRounding.AwayFromZero);
        var inv = CultureInfo.InvariantCulture;
        if (seconds < 60)
        {
            return string.Create(inv, $"{seconds} s");
        }

        if (seconds < 3600)
        {
            var (min, sec) = Math.DivRem(seconds, 60);
            return sec == 0 ? string.Create(inv, $"{min} min") : string.Create(inv, $"{min} min {sec} s");
        }

        var (hours, rest) = Math.DivRem(seconds, 3600);
        var minutes = rest / 60;
        return minutes == 0 ? string.Create(inv, $"{hours} h") : string.Create(inv, $"{hours} h {minutes} min");
    }
}
