using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.State;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static Dashboard.Tests.State.Events;

namespace Dashboard.Tests.State;

public sealed class RemainingTimeEstimatorTests
{
    private readonly DashboardState _state = new(Options.Create(new DashboardOptions()));
    private readonly FakeTimeProvider _clock = new(T0.AddHours(1));
    private long _sequence;

    private void Apply(params DashboardEvent[] events)
    {
        foreach (var e in events)
        {
            _state.Apply(e, ++_sequence);
        }
    }

    /// <summary>A completed run on <paramref name="backend"/> whose <c>code</c> stage started <paramref name="codeToEndSeconds"/> before its end.</summary>
    private void CompletedRun(string id, double codeToEndSeconds, string backend = "codegen", RunStatus status = RunStatus.Completed)
    {
        var start = T0.AddMinutes(_sequence);
        var codeAt = start.AddSeconds(5);
        Apply(
            Created(id, backend, start),
            Stage(id, "plan", start, backend: backend),
            Stage(id, "code", codeAt, backend: backend),
            Stage(id, "test", codeAt.AddSeconds(codeToEndSeconds / 2), backend: backend),
            Stage(id, "code", codeAt.AddSeconds(codeToEndSeconds * 0.75), backend: backend),
            Ended(id, status, codeAt.AddSeconds(codeToEndSeconds), backend: backend));
    }

    /// <summary>The run being watched: in stage <c>code</c> since <paramref name="secondsInStage"/> seconds.</summary>
    private RunView LiveRun(double secondsInStage, double? progress = null)
    {
        var now = _clock.GetUtcNow();
        Apply(
            Created("live", at: now.AddMinutes(-5)),
            Stage("live", "plan", now.AddMinutes(-5)),
            Stage("live", "code", now.AddSeconds(-secondsInStage), progress: progress));
        return _state.GetRun("live")!;
    }

    private RemainingTimeEstimate Estimate(RunView run) => new RemainingTimeEstimator(_clock).Estimate(run, _state);

    [Fact]
    public void Unknown_without_completed_runs()
    {
        var estimate = Estimate(LiveRun(0));

        Assert.Equal(RemainingTimeEstimate.Unknown, estimate);
        Assert.Equal("unknown", RemainingTimeFormatter.Format(estimate));
    }

    [Fact]
    public void Unknown_when_only_failed_other_backend_or_stage_less_runs_exist()
    {
        CompletedRun("failed", 40, status: RunStatus.Failed);
        CompletedRun("elsewhere", 40, backend: "other");
        Apply(Created("no-code"), Stage("no-code", "plan"), Ended("no-code"));

        Assert.Equal(RemainingTimeEstimate.Unknown, Estimate(LiveRun(0)));
    }

    [Fact]
    public void Unknown_for_a_run_that_is_not_running()
    {
        CompletedRun("done", 40);
        Apply(Created("pending"));

        Assert.Equal(RemainingTimeEstimate.Unknown, Estimate(_state.GetRun("pending")!));
        Assert.Equal(RemainingTimeEstimate.Unknown, Estimate(_state.GetRun("done")!));
    }

    [Fact]
    public void One_run_basis_uses_its_stage_first_appearance_to_end()
    {
        CompletedRun("a", 40);

        var estimate = Estimate(LiveRun(0));

        Assert.Equal(new RemainingTimeEstimate(TimeSpan.FromSeconds(40), 1, false), estimate);
        Assert.Equal("≈ 40 s, from 1 run", RemainingTimeFormatter.Format(estimate));
    }

    [Fact]
    public void Median_of_three_runs_less_time_spent_in_stage()
    {
        CompletedRun("a", 30);
        CompletedRun("b", 90);
        CompletedRun("c", 40);

        var estimate = Estimate(LiveRun(15));

        Assert.Equal(new RemainingTimeEstimate(TimeSpan.FromSeconds(25), 3, false), estimate);
    }

    [Fact]
    public void Median_of_seven_runs_ignores_an_outlier()
    {
        foreach (var (id, seconds) in new[] { ("a", 10), ("b", 1000), ("c", 20), ("d", 40), ("e", 50), ("f", 30), ("g", 60) })
        {
            CompletedRun(id, seconds);
        }

        var estimate = Estimate(LiveRun(0));

        Assert.Equal(new RemainingTimeEstimate(TimeSpan.FromSeconds(40), 7, false), estimate);
        Assert.Equal("≈ 40 s, from 7 runs", RemainingTimeFormatter.Format(estimate));
    }

    [Fact]
    public void Median_of_an_even_count_is_the_mean_of_the_middle_two()
    {
        CompletedRun("a", 30);
        CompletedRun("b", 40);
        CompletedRun("c", 50);
        CompletedRun("d", 60);

        Assert.Equal(TimeSpan.FromSeconds(45), Estimate(LiveRun(0)).Remaining);
    }

    [Fact]
    public void Time_passing_shrinks_the_estimate_and_then_it_is_overdue()
    {
        CompletedRun("a", 30);
        CompletedRun("b", 40);
        CompletedRun("c", 50);
        var run = LiveRun(0);

        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(new RemainingTimeEstimate(TimeSpan.FromSeconds(10), 3, false), Estimate(run));

        _clock.Advance(TimeSpan.FromSeconds(20));
        var overdue = Estimate(run);
        Assert.Equal(new RemainingTimeEstimate(TimeSpan.Zero, 3, true), overdue);
        Assert.Equal("longer than usual, from 3 runs", RemainingTimeFormatter.Format(overdue));
    }

    [Fact]
    public void Reported_progress_does_not_change_the_estimate()
    {
        CompletedRun("a", 40);

        Assert.Equal(TimeSpan.FromSeconds(30), Estimate(LiveRun(10, progress: 0.95)).Remaining);
    }

    [Theory]
    [InlineData(0, "0 s")]
    [InlineData(59.4, "59 s")]
    [InlineData(60, "1 min")]
    [InlineData(125, "2 min 5 s")]
    [InlineData(3600, "1 h")]
    [InlineData(3 * 3600 + 7 * 60 + 9, "3 h 7 min")]
    public void Durations_read_naturally(double seconds, string expected)
    {
        Assert.Equal(expected, RemainingTimeFormatter.FormatDuration(TimeSpan.FromSeconds(seconds)));
    }
}
