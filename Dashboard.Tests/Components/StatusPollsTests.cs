using Dashboard.Components.Controls;
using Microsoft.Extensions.Time.Testing;

namespace Dashboard.Tests.Components;

/// <summary>
/// The status panels' shared poll: however many pages watch a status, it is read once per period;
/// a page is told only when the value differs from what it was last given; nothing is read while
/// no page watches.
/// </summary>
public sealed class StatusPollsTests
{
    private sealed record Status(string Text);

    private readonly FakeTimeProvider _time = new();
    private int _reads;
    private Status? _current = new("ok");

    private Status? Read()
    {
        Interlocked.Increment(ref _reads);
        return _current;
    }

    [Fact]
    public void Many_watchers_cost_one_read_per_period_and_hear_only_changes()
    {
        using var polls = new StatusPolls(_time);
        var heard = new List<(int Page, Status? Value)>();
        var pages = Enumerable.Range(0, 25).Select(page => polls.Watch(Read, _current, v => { lock (heard) { heard.Add((page, v)); } })).ToList();

        _time.Advance(StatusPolls.Refresh * 3);
        Assert.Equal(3, _reads);
        Assert.Empty(heard);

        _current = new Status("behind");
        _time.Advance(StatusPolls.Refresh);
        Assert.Equal(4, _reads);
        Assert.Equal(Enumerable.Range(0, 25), heard.Select(h => h.Page).Order());
        Assert.All(heard, h => Assert.Equal(new Status("behind"), h.Value));

        heard.Clear();
        _time.Advance(StatusPolls.Refresh);
        Assert.Empty(heard);
        pages.ForEach(p => p.Dispose());
    }

    [Fact]
    public void A_page_that_started_from_another_value_is_told_even_when_the_poll_saw_no_change()
    {
        using var polls = new StatusPolls(_time);
        var first = new List<Status?>();
        var late = new List<Status?>();
        using var a = polls.Watch(Read, _current, first.Add);
        _time.Advance(StatusPolls.Refresh);

        // A page opened while the status was briefly something else, then back: it shows "ok" after the next read.
        using var b = polls.Watch(Read, new Status("behind"), late.Add);
        _time.Advance(StatusPolls.Refresh);

        Assert.Empty(first);
        Assert.Equal([new Status("ok")], late);
    }

    [Fact]
    public void Nothing_is_read_while_no_page_watches()
    {
        using var polls = new StatusPolls(_time);
        var page = polls.Watch(Read, _current, _ => { });
        _time.Advance(StatusPolls.Refresh);
        Assert.Equal(1, _reads);

        page.Dispose();
        page.Dispose();
        Assert.Equal(0, polls.Watchers);
        _time.Advance(StatusPolls.Refresh * 10);
        Assert.Equal(1, _reads);

        // A page opening again starts the poll again.
        using var again = polls.Watch(Read, _current, _ => { });
        _time.Advance(StatusPolls.Refresh);
        Assert.Equal(2, _reads);
    }
}
