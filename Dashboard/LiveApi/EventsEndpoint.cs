using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Dashboard.LiveApi;

/// <summary>
/// GET /api/events: the live events as Server-Sent Events (<c>id:</c> sequence, <c>event:</c>
/// type, <c>data:</c> the live event JSON on one line). The cursor comes from Last-Event-ID (a
/// browser reconnects with its original URL, so the header wins) or <c>?from=</c>.
/// </summary>
internal static class EventsEndpoint
{
    public const string LastEventIdHeader = "Last-Event-ID";

    private static readonly byte[] Heartbeat = Encoding.UTF8.GetBytes(": heartbeat\n\n");

    public static async Task HandleAsync(HttpContext http, LiveEventFeed feed, TimeProvider clock, IOptions<LiveApiOptions> options, CancellationToken cancellationToken)
    {
        if (Parse(http.Request) is not { } request)
        {
            await ParseErrors(http.Request).ExecuteAsync(http);
            return;
        }

        var response = http.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        var interval = TimeSpan.FromSeconds(Math.Max(1, options.Value.HeartbeatSeconds));
        var body = response.BodyWriter;
        try
        {
            await body.FlushAsync(cancellationToken);
            await using var events = feed.FollowAsync(request.Filter, request.Cursor, request.Instance, endAtGap: true, cancellationToken)
                .GetAsyncEnumerator(cancellationToken);
            // A completed ValueTask<bool> becomes a cached Task: no allocation per event.
            var next = events.MoveNextAsync().AsTask();
            while (true)
            {
                if (!next.IsCompleted)
                {
                    // Nothing ready: send what is written, then wait, with a comment every interval
                    // so proxies and clients know the stream is alive.
                    await body.FlushAsync(cancellationToken);
                    while (!await ArrivesWithin(next, interval, clock, cancellationToken))
                    {
                        await body.WriteAsync(Heartbeat, cancellationToken);
                        await body.FlushAsync(cancellationToken);
                    }
                }

                if (!await next)
                {
                    break;
                }

                Write(body, events.Current);
                next = events.MoveNextAsync().AsTask();
            }

            await body.FlushAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away.
        }
    }

    private static async Task<bool> ArrivesWithin(Task moved, TimeSpan interval, TimeProvider clock, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var beat = Task.Delay(interval, clock, stop.Token);
        var first = await Task.WhenAny(moved, beat);
        await stop.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
        return first == moved;
    }

    private static void Write(System.IO.Pipelines.PipeWriter body, LiveItem item)
    {
        var e = item.Event;
        var head = new StringBuilder(64);
        // An id only where a client may resume: inside a group (a snapshot and its texts, a long
        // text in parts) a reconnect must start the group over.
        if (item.EndsGroup)
        {
            head.Append("id: ").Append(e.Sequence.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        head.Append("event: ").Append(e.Type).Append("\ndata: ");
        body.Write(Encoding.UTF8.GetBytes(head.ToString()));
        // Straight into the response (compact JSON has no raw line break); an event many
        // subscribers share was serialized once (LiveEvent.Serialized).
        using (var json = new Utf8JsonWriter(body, new JsonWriterOptions { Encoder = LiveJson.Options.Encoder }))
        {
            JsonSerializer.Serialize(json, e, LiveJson.Options);
        }

        body.Write("\n\n"u8);
    }

    private sealed record Request(LiveFilter Filter, long? Cursor, string? Instance);

    private static Request? Parse(HttpRequest request)
    {
        if (!TryCursor(request, out var cursor))
        {
            return null;
        }

        var query = request.Query;
        var instance = query["instance"].ToString();
        var run = query["run"].ToString();
        return new Request(
            new LiveFilter(query["backend"].Where(b => b is not null)!, run),
            cursor,
            string.IsNullOrEmpty(instance) ? null : instance);
    }

    private static bool TryCursor(HttpRequest request, out long? cursor)
    {
        cursor = null;
        var header = request.Headers[LastEventIdHeader].ToString();
        var raw = !string.IsNullOrWhiteSpace(header) ? header : request.Query["from"].ToString();
        if (string.IsNullOrWhiteSpace(raw))
        {
            return true;
        }

        if (!long.TryParse(raw.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }

        cursor = value;
        return true;
    }

    private static IResult ParseErrors(HttpRequest request)
    {
        var field = !string.IsNullOrWhiteSpace(request.Headers[LastEventIdHeader].ToString()) ? LastEventIdHeader : "from";
        return TypedResults.ValidationProblem(new Dictionary<string, string[]>
        {
            [field] = [$"{field} must be a sequence number (a whole number, 0 or more) from an earlier event of this stream."],
        });
    }
}
