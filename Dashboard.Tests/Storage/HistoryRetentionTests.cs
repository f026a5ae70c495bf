using Dashboard.Storage;

namespace Dashboard.Tests.Storage;

public sealed class HistoryRetentionTests
{
    [Theory]
    [InlineData("1.00:00:00", "00:05:00")] // the default window: every 5 minutes
    [InlineData("00:25:00", "00:05:00")]
    [InlineData("00:05:00", "00:01:00")] // a short window is pruned every fifth of it
    [InlineData("00:00:02", "00:00:01")] // never more often than once a second
    public void Retention_runs_every_five_minutes_or_a_fifth_of_a_shorter_replay_window(string window, string expected)
    {
        Assert.Equal(TimeSpan.Parse(expected, System.Globalization.CultureInfo.InvariantCulture),
            HistoryRetention.IntervalFor(TimeSpan.Parse(window, System.Globalization.CultureInfo.InvariantCulture)));
    }
}
