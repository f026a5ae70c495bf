using System.Text;
using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.State;
using Microsoft.Extensions.Options;
using static Dashboard.Tests.State.Events;

namespace Dashboard.Tests.State;

/// <summary>Every upstream string a run keeps has a byte budget, and the run a total.</summary>
public sealed class RunBudgetTests
{
    private readonly LimitsOptions _limits = new();
    private long _sequence;

    private DashboardState NewState(string runId = "r1")
    {
        var state = new DashboardState(Options.Create(new DashboardOptions { Limits = _limits }));
        Apply(state, Created(runId));
        return state;
    }

    private void Apply(DashboardState state, DashboardEvent e) => state.Apply(e, ++_sequence);

    private static int Utf8(string? s) => s is null ? 0 : Encoding.UTF8.GetByteCount(s);

    [Fact]
    public void Cut_marks_the_value_and_keeps_it_within_its_budget_in_utf8_bytes()
    {
        var ascii = ByteBudget.Cut(new string('a', 20_000), 16 * 1024, out var cutAscii);
        var emoji = ByteBudget.Cut(string.Concat(Enumerable.Repeat("😀é", 5000)), 256, out var cutEmoji);
        var fits = ByteBudget.Cut("short", 256, out var cutShort);

        Assert.True(cutAscii);
        Assert.EndsWith("… cut at 16 KB", ascii, StringComparison.Ordinal);
        Assert.InRange(Utf8(ascii), 16 * 1024 - 8, 16 * 1024);
        Assert.True(cutEmoji);
        Assert.EndsWith("… cut at 256 B", emoji, StringComparison.Ordinal);
        Assert.True(Utf8(emoji) <= 256);
        Assert.False(char.IsHighSurrogate(emoji[emoji.IndexOf('…') - 1]), "a surrogate pair was split");
        Assert.False(cutShort);
        Assert.Equal("short", fits);
    }

    [Fact]
    public void Stage_messages_names_and_errors_are_cut_counted_and_marked()
    {
        var state = NewState();
        Apply(state, Stage("r1", "s") with { Stage = new string('n', 5000), Message = new string('m', 4_000_000) });
        Apply(state, Ended("r1", RunStatus.Failed, error: new string('e', 100_000)));

        var run = state.GetRun("r1")!;
        var entry = Assert.Single(run.Timeline);
        Assert.True(Utf8(entry.Stage) <= _limits.NameBytes);
        Assert.EndsWith("… cut at 256 B", entry.Stage, StringComparison.Ordinal);
        Assert.True(Utf8(entry.Message) <= _limits.StageMessageBytes);
        Assert.EndsWith("… cut at 16 KB", entry.Message, StringComparison.Ordinal);
        Assert.True(Utf8(run.Error) <= _limits.StageMessageBytes);
        Assert.Equal(3, run.ValuesCut);
    }

    [Fact]
    public void A_run_keeps_at_most_its_total_budget_dropping_the_oldest_entries_first()
    {
        _limits.RunBytes = 256 * 1024;
        var state = NewState();
        for (var i = 0; i < 60; i++)
        {
            Apply(state, Stage("r1", "stage" + i) with { Message = new string('m', 4_000_000) });
        }

        var run = state.GetRun("r1")!;
        var kept = run.Timeline.Sum(t => 2L * (t.Stage.Length + (t.Message?.Length ?? 0)));
        Assert.True(kept <= _limits.RunBytes, $"{kept} bytes kept");
        Assert.True(run.TimelineTruncated);
        Assert.Equal("stage59", run.Timeline[^1].Stage);
        Assert.Equal(60, run.ValuesCut);
    }

    [Fact]
    public void Tool_calls_are_bounded_per_field_and_by_the_run_total()
    {
        _limits.RunBytes = 512 * 1024;
        var state = NewState();
        for (var call = 0; call < 50; call++)
        {
            for (var piece = 0; piece < 20; piece++)
            {
                Apply(state, new RunToolCallUpdated
                {
                    Backend = "codegen", At = T0, RunId = "r1", ToolCallId = "call-" + call,
                    Name = new string('t', 1000), Detail = new string('d', 100_000), Status = "running",
                    ArgumentsDelta = new string('a', 10_000),
                });
            }
        }

        var run = state.GetRun("r1")!;
        Assert.All(run.ToolCalls, c =>
        {
            Assert.True(Utf8(c.Name) <= _limits.NameBytes);
            Assert.True(Utf8(c.Detail) <= _limits.ToolDetailBytes);
            Assert.True(Utf8(c.Arguments) <= _limits.ToolArgumentsBytes + 32);
        });
        Assert.EndsWith("… cut at 64 KB", run.ToolCalls[0].Arguments, StringComparison.Ordinal);
        var kept = run.ToolCalls.Sum(c => 2L * (c.Id.Length + (c.Name?.Length ?? 0) + (c.Detail?.Length ?? 0) + (c.Status?.Length ?? 0) + c.Arguments.Length));
        Assert.True(kept <= _limits.RunBytes, $"{kept} bytes kept");
        Assert.True(run.ValuesDropped > 0);
        Assert.True(run.ValuesCut > 0);
    }
}
