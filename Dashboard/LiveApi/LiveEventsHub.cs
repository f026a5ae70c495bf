using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.SignalR;

namespace Dashboard.LiveApi;

/// <summary>
/// SignalR hub at /hubs/events: the same live events as GET /api/events, streamed to the client.
/// Commands (start, cancel) stay in the REST API.
/// </summary>
public sealed class LiveEventsHub(LiveEventFeed feed) : Hub
{
    /// <summary>Server-to-client stream: a snapshot or the events after the request's cursor, then live events.</summary>
    public async IAsyncEnumerable<LiveEvent> Subscribe(SubscribeRequest? request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        request ??= new SubscribeRequest();
        if (request.FromSequence is < 0)
        {
            throw new HubException("fromSequence must be 0 or more (the last sequence the client saw).");
        }

        var filter = new LiveFilter(request.Backends, request.RunId);
        await foreach (var item in feed.FollowAsync(filter, request.FromSequence, request.Instance, endAtGap: false, cancellationToken))
        {
            yield return item.Event;
        }
    }

    /// <summary>The <c>data</c> of a <c>snapshot</c> event (without the texts of runs in flight).</summary>
    public async Task<object?> GetSnapshot() =>
        LiveJson.ToTree(await feed.SnapshotDataAsync(LiveFilter.All, Context.ConnectionAborted));
}
