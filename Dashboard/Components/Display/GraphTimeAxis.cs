using Dashboard.State;
using MudBlazor;

namespace Dashboard.Components.Display;

/// <summary>
/// The time axis of a graph history chart. MudBlazor's time-series chart starts its labels at the
/// first point and steps by the label spacing until it has passed the last one, placing the step
/// that passes it at the end of the axis: with a fixed spacing (a sixth of the range) a history
/// shorter than the range got a last label later than any point, and later than now. So the
/// spacing divides the time the points cover into six equal steps: the labels run from the first
/// point to the last, each where its time is.
/// </summary>
public static class GraphTimeAxis
{
    public const int Steps = 6;

    public static TimeSeriesChartOptions Options(IReadOnlyList<GraphPoint> points, TimeSpan range)
    {
        ArgumentNullException.ThrowIfNull(points);
        var covered = points.Count > 1 ? points[^1].At - points[0].At : TimeSpan.Zero;

        // Rounded up to a whole tick, so that the covered time is at most six steps (never a seventh).
        var spacing = covered > TimeSpan.Zero ? TimeSpan.FromTicks((covered.Ticks + Steps - 1) / Steps) : range / Steps;
        return new TimeSeriesChartOptions
        {
            TimeLabelSpacing = spacing,
            TimeLabelFormat = spacing < TimeSpan.FromMinutes(5) ? TimeFormats.Time : covered <= TimeSpan.FromDays(1) ? "HH:mm" : TimeFormats.ShortDateTime,
            TooltipTimeLabelFormat = TimeFormats.DateTime,
        };
    }
}
