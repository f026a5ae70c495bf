using System.Runtime.CompilerServices;
using Dashboard.Api;
using Dashboard.Backends;
using Dashboard.Domain;
using Dashboard.Events;
using Dashboard.Security;
using Dashboard.State;

namespace Dashboard.LiveApi;

/// <summary>
/// Delivery of the live event API, shared by SSE and SignalR. A subscriber reads the replay log
/// at its own pace: it lags, it never loses, and it never slows ingest or other subscribers.
/// A usable cursor resumes after it (exactly once, in order, then live with no gap); otherwise a
/// snapshot comes first. A subscriber that falls out of the replay window gets a gap.
/// </summary>
public sealed class LiveEventFeed(
    IEventReplay replay,
    EventHub hub,
    IDashboardState state,
    BackendCatalog catalog,
    SecretRedactor redactor,
    TimeProvider clock)
{
    /// <summary>Events read from the log per step (bounds a subscriber's working memory).</summary>
    public const int BatchSize = 256;

    // One per feed (a singleton): subscribers of the same events share their items and JSON.
    private readonly SharedLiveItems _shared = new();

    public IEventReplay Replay => replay;

    /// <summary>True when <paramref name="cursor"/> can be resumed exactly (else the subscriber needs a snapshot).</summary>
    public bool CanResume(long? cursor, string? instance) =>
        cursor is long n
        && (instance is null || string.Equals(instance, replay.Instance, StringComparison.Ordinal))
        && n <= replay.LastSequence
        && n >= replay.FirstSequence - 1;

    /// <summary>The <c>snapshot</c> data alone (SignalR's GetSnapshot).</summary>
    public async Task<SnapshotData> SnapshotDataAsync(LiveFilter filter, CancellationToken cancellationToken)
    {
        var captured = await CaptureAsync(filter, cancellationToken);
        return captured.Data;
    }

    /// <param name="endAtGap">SSE: stop after the gap item (the client reconnects with its cursor); SignalR: a snapshot follows.</param>
    public async IAsyncEnumerable<LiveItem> FollowAsync(
        LiveFilter filter,
        long? cursor,
        string? instance,
        bool endAtGap,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var mapper = new LiveEventMapper(redactor, catalog, _shared);
        long position;
        if (CanResume(cursor, instance))
        {
            position = cursor!.Value;
            await PrimeAsync(mapper, filter, position, cancellationToken);
        }
        else
        {
            var snapshot = await CaptureAsync(filter, cancellationToken);
            foreach (var item in snapshot.Items(mapper, clock.GetUtcNow()))
            {
                yield return item;
            }

            position = snapshot.Data.LastSequence;
        }

        while (!cancellationToken.IsCancellationRequested)
        {
            var read = await replay.ReadAfterAsync(position, BatchSize, cancellationToken);
            var batch = read.Events;
            if (read.Missed)
            {
                // Events this subscriber should have had are gone (out of the window, or dropped by
                // the store): say so. A jump in numbering alone is not this (the store reserves
                // sequences in blocks, so a restart skips numbers nobody used).
                var gap = new GapData(position + 1, batch.Count > 0 ? batch[0].Sequence - 1 : replay.LastSequence);
                yield return new LiveItem(new LiveEvent(position, LiveEventTypes.Gap, LiveJson.Timestamp(clock.GetUtcNow()), null, null, LiveJson.ToTree(gap)), true);
                if (endAtGap)
                {
                    yield break;
                }

                mapper = new LiveEventMapper(redactor, catalog, _shared);
                var snapshot = await CaptureAsync(filter, cancellationToken);
                foreach (var item in snapshot.Items(mapper, clock.GetUtcNow()))
                {
                    yield return item;
                }

                position = snapshot.Data.LastSequence;
                continue;
            }

            if (batch.Count == 0)
            {
                await replay.WaitAsync(position, cancellationToken);
                continue;
            }

            foreach (var sequenced in batch)
            {
                position = sequenced.Sequence;
                if (!filter.Accepts(sequenced.Event))
                {
                    continue;
                }

                foreach (var item in mapper.Map(sequenced))
                {
                    yield return item;
                }
            }
        }
    }

    /// <summary>How far back before a cursor a resumed subscriber learns tool calls (bounds the work of one resume on a large store).</summary>
    public const long PrimeSpan = 100_000;

    // A resumed subscriber has no snapshot to learn tool calls from: fold the window up to its cursor.
    private async Task PrimeAsync(LiveEventMapper mapper, LiveFilter filter, long cursor, CancellationToken cancellationToken)
    {
        var position = Math.Max(replay.FirstSequence - 1, cursor - PrimeSpan);
        while (position < cursor)
        {
            var batch = (await replay.ReadAfterAsync(position, 1024, cancellationToken)).Events;
            if (batch.Count == 0)
            {
                return;
            }

            foreach (var sequenced in batch)
            {
                if (sequenced.Sequence > cursor)
                {
                    return;
                }

                position = sequenced.Sequence;
                if (sequenced.Event is RunToolCallUpdated or RunEnded && filter.Accepts(sequenced.Event))
                {
                    mapper.Observe(sequenced.Event);
                }
            }
        }
    }

    private async Task<CapturedSnapshot> CaptureAsync(LiveFilter filter, CancellationToken cancellationToken)
    {
        await catalog.WaitReadyAsync(BackendsApi.CatalogWait, cancellationToken);

        // Under the hub's lock only what must be consistent with the sequence: immutable views and
        // copies of the texts of runs in flight. Shaping and redaction happen outside.
        var (sequence, backends, graphs, runs) = hub.ReadConsistent(sequence => (
            sequence,
            filter.IsRunOnly ? [] : state.Backends,
            filter.IsRunOnly ? [] : state.Graphs,
            state.Runs
                .Where(r => !r.Status.IsTerminal() && filter.AcceptsRun(r.Backend, r.Id))
                .Select(r => new RunInFlight(r, r.Text.ToString(), r.Thinking.ToString()))
                .ToArray()));

        var data = new SnapshotData(
            replay.Instance,
            sequence,
            filter.IsRunOnly ? [] : BackendsApi.Items(catalog, backends, redactor).Where(b => filter.AcceptsBackend(b.Name)).ToList(),
            [.. graphs.Where(g => filter.AcceptsBackend(g.Backend)).Select(BackendsApi.ToDto)],
            // Texts travel in the run.text snapshots that follow, so no one message carries them all.
            [.. runs.Select(r => RunsApi.ToDto(r.View, redactor) with { Text = "", Thinking = "" })]);
        return new CapturedSnapshot(data, runs);
    }

    private sealed record RunInFlight(RunView View, string Text, string Thinking);

    private sealed record CapturedSnapshot(SnapshotData Data, IReadOnlyList<RunInFlight> Runs)
    {
        public IEnumerable<LiveItem> Items(LiveEventMapper mapper, DateTimeOffset at)
        {
            var sequence = Data.LastSequence;
            yield return new LiveItem(new LiveEvent(sequence, LiveEventTypes.Snapshot, LiveJson.Timestamp(at), null, null, LiveJson.ToTree(Data)), Runs.Count == 0);
            for (var i = 0; i < Runs.Count; i++)
            {
                var run = Runs[i];
                foreach (var call in run.View.ToolCalls)
                {
                    mapper.Seed(run.View.Id, call);
                }

                foreach (var item in LiveEventMapper.Text(sequence, run.View.Backend, run.View.Id, at, TextChannel.Output, run.Text, replace: true))
                {
                    yield return item with { EndsGroup = false };
                }

                foreach (var item in LiveEventMapper.Text(sequence, run.View.Backend, run.View.Id, at, TextChannel.Thinking, run.Thinking, replace: true))
                {
                    yield return item with { EndsGroup = item.EndsGroup && i == Runs.Count - 1 };
                }
            }
        }
    }
}
