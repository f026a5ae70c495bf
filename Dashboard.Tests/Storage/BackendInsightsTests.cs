using Dashboard.Domain;
using Dashboard.Storage;

namespace Dashboard.Tests.Storage;

/// <summary>Backend insights read from a real history file.</summary>
public sealed class BackendInsightsTests : IDisposable
{
    private readonly StoreHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task Per_backend_runs_per_day_success_rate_median_duration_and_tokens_per_day_over_the_range()
    {
        using var store = _harness.Open();
        var (hub, _) = _harness.Hub(store);
        var runs = new[]
        {
            StoreHarness.Run("a1", "p", ["x"], start: 0),
            StoreHarness.Run("a2", "p", ["x"], start: 10),
            StoreHarness.Run("a3", "p", ["x"], start: 20),
            StoreHarness.Run("a4", "p", ["x"], RunStatus.Failed, start: 30),
            StoreHarness.Run("b1", "p", ["x"], start: 40, backend: "beta"),
            // Started before the range: not counted.
            StoreHarness.Run("old", "p", ["x"], start: -7200),
        };
        foreach (var e in runs.SelectMany(r => r))
        {
            hub.Publish(e);
        }

        await store.FlushAsync();
        var insights = new BackendInsights(store).Compute(StoreHarness.At(-3600), StoreHarness.At(3600));

        Assert.Equal(["alpha", "beta"], insights.Select(i => i.Backend));
        var alpha = insights[0];
        Assert.Equal(4, alpha.Runs);
        Assert.Equal(4.0, alpha.RunsPerDay);
        Assert.Equal(0.75, alpha.SuccessRate);
        // Each run lasts 4 s, from creation to its end.
        Assert.Equal(TimeSpan.FromSeconds(4), alpha.MedianDuration);
        Assert.Equal(4 * 8.0, alpha.TokensPerDay);
        var day = Assert.Single(alpha.Days);
        Assert.Equal(new InsightDay(new DateOnly(2026, 11, 27), 4, 3, TimeSpan.FromSeconds(4), 32), day);
        Assert.Equal(1, insights[1].Runs);
    }
}
