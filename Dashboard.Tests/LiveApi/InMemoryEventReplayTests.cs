using Dashboard.Domain;
using Dashboard.Events;

namespace Dashboard.Tests.LiveApi;

public sealed class InMemoryEventReplayTests
{
    private static SequencedEvent Text(long sequence, int chars = 1) =>
        new(sequence, new RunTextReceived { Backend = "b", At = DateTimeOffset.UnixEpoch, RunId = "r", Text = new string('x', chars) });

    [Fact]
    public void Keeps_the_newest_events_within_the_count_and_reads_after_a_cursor()
    {
        var replay = new InMemoryEventReplay(maxEvents: 5, maxBytes: long.MaxValue);
        Assert.Equal((0L, 1L), (replay.LastSequence, replay.FirstSequence));
        Assert.Empty(replay.ReadAfter(0, 10));
        for (var i = 1; i <= 12; i++)
        {
            replay.Record(Text(i));
        }

        Assert.Equal((12L, 8L, 5), (replay.LastSequence, replay.FirstSequence, replay.Count));
        Assert.Equal([8L, 9, 10, 11, 12], replay.ReadAfter(0, 100).Select(e => e.Sequence));
        Assert.Equal([10L, 11], replay.ReadAfter(9, 2).Select(e => e.Sequence));
        Assert.Empty(replay.ReadAfter(12, 10));
    }

    [Fact]
    public void The_byte_budget_evicts_the_oldest_but_always_keeps_the_newest()
    {
        var replay = new InMemoryEventReplay(maxEvents: 1000, maxBytes: 3 * Dashboard.Domain.EventSize.Estimate(Text(0, 100).Event));
        for (var i = 1; i <= 10; i++)
        {
            replay.Record(Text(i, 100));
        }

        Assert.Equal([8L, 9, 10], replay.ReadAfter(0, 100).Select(e => e.Sequence));
        replay.Record(Text(11, 100_000));
        Assert.Equal([11L], replay.ReadAfter(0, 100).Select(e => e.Sequence));
    }

    [Fact]
    public async Task WaitAsync_completes_when_an_event_after_the_cursor_is_recorded()
    {
        var replay = new InMemoryEventReplay(10, long.MaxValue);
        replay.Record(Text(1));
        Assert.True(replay.WaitAsync(0, CancellationToken.None).IsCompleted);
        var waiting = replay.WaitAsync(1, CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        replay.Record(Text(2));
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_read_says_when_events_after_the_cursor_were_evicted()
    {
        var replay = new InMemoryEventReplay(maxEvents: 5, maxBytes: long.MaxValue);
        replay.StartAfter(100);
        for (var i = 101; i <= 110; i++)
        {
            replay.Record(Text(i));
        }

        var inside = await replay.ReadAfterAsync(105, 10, CancellationToken.None);
        Assert.Equal([106L, 107, 108, 109, 110], inside.Events.Select(e => e.Sequence));
        Assert.False(inside.Missed);
        Assert.True(replay.Covers(105));

        var evicted = await replay.ReadAfterAsync(104, 10, CancellationToken.None);
        Assert.Equal([106L, 107, 108, 109, 110], evicted.Events.Select(e => e.Sequence));
        Assert.True(evicted.Missed);
        Assert.False(replay.Covers(104));
    }

    [Fact]
    public void Each_instance_has_its_own_random_id()
    {
        Assert.NotEqual(new InMemoryEventReplay(1, 1).Instance, new InMemoryEventReplay(1, 1).Instance);
    }
}
