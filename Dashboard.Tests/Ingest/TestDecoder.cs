using Dashboard.Domain;
using System.Collections.Concurrent;
using System.Text.Json;
using Dashboard.Ingest;

namespace Dashboard.Tests.Ingest;

/// <summary>
/// A dialect-free decoder: keeps every item, treats "[DONE]" as terminal and parses data that
/// looks like a JSON object (throwing on malformed JSON, as real decoders do).
/// </summary>
internal sealed class TestDecoder : IStreamDecoder
{
    private readonly Lock _gate = new();
    private readonly List<(int Count, TaskCompletionSource Signal)> _waiters = [];

    public ConcurrentQueue<SseItem> Items { get; } = new();

    public bool IsTerminal { get; private set; }

    public void Decode(in SseItem item, DecodeContext context)
    {
        Items.Enqueue(item);
        lock (_gate)
        {
            foreach (var waiter in _waiters.Where(w => Items.Count >= w.Count))
            {
                waiter.Signal.TrySetResult();
            }
        }

        if (item.Data == "[DONE]")
        {
            IsTerminal = true;
            return;
        }

        if (item.Data.StartsWith('{'))
        {
            using var document = JsonDocument.Parse(item.Data);
        }
    }

    public Task WaitForItemsAsync(int count)
    {
        lock (_gate)
        {
            if (Items.Count >= count)
            {
                return Task.CompletedTask;
            }

            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, signal));
            return signal.Task.WaitAsync(TimeSpan.FromSeconds(20));
        }
    }
}
