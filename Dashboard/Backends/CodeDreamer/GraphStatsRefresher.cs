using System.Threading.Channels;

namespace Dashboard.Backends.CodeDreamer;

/// <summary>
/// Keeps a CodeDreamer graph's edges and entanglement current. The stream's updates carry only
/// node counts, so when the count changes the full stats are loaded again from
/// <c>/graph/stats</c>, never more often than once per <see cref="MinInterval"/>: a burst of
/// updates costs one request, sent when the interval since the previous request is over.
/// The snapshot on each (re)connect is always loaded (reconnects are paced by the stream's
/// backoff) and counts as a request for the interval.
/// </summary>
/// <param name="loadAsync">Loads and publishes the snapshot; returns its node count (null when the load failed).</param>
internal sealed class GraphStatsRefresher(TimeProvider clock, Func<CancellationToken, Task<int?>> loadAsync) : IDisposable
{
    public static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(5);

    // One pending signal is enough: the loop reloads once for any number of changes.
    private readonly Channel<bool> _changed = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _sync = new();
    private long _lastRequest;
    private bool _requested;
    private bool _stale;
    private int? _lastNodes;

    /// <summary>A streamed node count; a change makes the loaded edges stale and asks for a reload.</summary>
    public void ObserveNodes(int nodes)
    {
        lock (_sync)
        {
            if (_lastNodes == nodes)
            {
                return;
            }

            _lastNodes = nodes;
            _stale = true;
        }

        _changed.Writer.TryWrite(true);
    }

    /// <summary>Loads the snapshot now (on connect).</summary>
    public async Task LoadNowAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await LoadAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Reloads after changes until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (await _changed.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                _changed.Reader.TryRead(out _);
                for (var wait = WaitBeforeNext(); wait > TimeSpan.Zero; wait = WaitBeforeNext())
                {
                    await Task.Delay(wait, clock, cancellationToken).ConfigureAwait(false);
                }

                // The gate is held only while loading, so a connect snapshot never waits out the interval.
                await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    if (!IsStale())
                    {
                        continue;
                    }

                    if (WaitBeforeNext() > TimeSpan.Zero)
                    {
                        // A connect snapshot went first and the counts moved again since: wait for its interval.
                        _changed.Writer.TryWrite(true);
                        continue;
                    }

                    await LoadAsync(cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    _gate.Release();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The stream stopped; so do the reloads.
        }
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            // Cleared before the request: a change arriving while it runs asks for the next one.
            _stale = false;
            _requested = true;
            _lastRequest = clock.GetTimestamp();
        }

        if (await loadAsync(cancellationToken).ConfigureAwait(false) is { } nodes)
        {
            lock (_sync)
            {
                _lastNodes = nodes;
            }
        }
    }

    public void Dispose() => _gate.Dispose();

    private TimeSpan WaitBeforeNext()
    {
        lock (_sync)
        {
            return _requested ? MinInterval - clock.GetElapsedTime(_lastRequest) : TimeSpan.Zero;
        }
    }

    private bool IsStale()
    {
        lock (_sync)
        {
            return _stale;
        }
    }
}
