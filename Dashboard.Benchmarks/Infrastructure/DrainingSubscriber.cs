using Dashboard.Events;

namespace Dashboard.Benchmarks.Infrastructure;

/// <summary>A hub subscriber that reads every notification as soon as it can and says when it has reached a sequence.</summary>
public sealed class DrainingSubscriber
{
    private long _seen;
    private long _target = long.MaxValue;
    private TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public DrainingSubscriber(HubSubscription subscription)
    {
        Subscription = subscription;
        _seen = subscription.SnapshotSequence;
        Completion = Task.Run(ReadAsync);
    }

    public HubSubscription Subscription { get; }

    public Task Completion { get; }

    /// <summary>Completes once a notification with this sequence or a later one was read.</summary>
    public Task WaitForAsync(long sequence)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _reached, reached);
        // Full fences on both sides (target here, seen in the reader): neither side can miss the other.
        Interlocked.Exchange(ref _target, sequence);
        if (Volatile.Read(ref _seen) >= sequence)
        {
            reached.TrySetResult();
        }

        return reached.Task;
    }

    private async Task ReadAsync()
    {
        var reader = Subscription.Events;
        var last = Volatile.Read(ref _seen);
        while (await reader.WaitToReadAsync())
        {
            while (reader.TryRead(out var item))
            {
                last = item.Sequence;
            }

            Interlocked.Exchange(ref _seen, last);
            if (last >= Volatile.Read(ref _target))
            {
                Volatile.Read(ref _reached).TrySetResult();
            }
        }
    }
}
