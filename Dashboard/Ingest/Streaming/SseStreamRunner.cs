using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Dashboard.Domain;
using Dashboard.Ingest.Monitoring;
using Dashboard.Ingest.Sse;
using Dashboard.Security;
using Microsoft.Extensions.Logging;

namespace Dashboard.Ingest.Streaming;

/// <summary>
/// The ingest engine's connection loop (see <see cref="ISseStreamRunner"/>). Delays and timestamps
/// come from <see cref="TimeProvider"/>; pacing from <see cref="IngestTimings"/>.
/// </summary>
/// <remarks>
/// Retry delay: the stream's <c>retry:</c> (else <see cref="IngestTimings.InitialBackoff"/>) doubled
/// per consecutive failure, capped at <see cref="IngestTimings.MaxBackoff"/> (or the <c>retry:</c>
/// value when larger), scaled by jitter; never shorter than a <c>Retry-After</c>. A connection that
/// delivered an item or stayed up <see cref="IngestTimings.HealthyConnection"/> resets the doubling.
/// For <see cref="SseStreamSpec.ResumeAfterDrop"/> = false the point of no return is an accepted
/// response: after it the stream is never re-requested. The one retry after a successful re-auth is
/// not counted against <see cref="SseStreamSpec.MaxAttempts"/>.
/// </remarks>
public sealed partial class SseStreamRunner(
    IHttpClientFactory httpClientFactory,
    BackendMonitors monitors,
    TimeProvider clock,
    IngestTimings timings,
    SseParserLimits limits,
    ILogger<SseStreamRunner> logger) : ISseStreamRunner
{
    private const int ReadBufferBytes = 16 * 1024;
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromHours(1);

    /// <summary>Raised just before the runner waits to reconnect.</summary>
    public event EventHandler<RetryPlannedEventArgs>? RetryPlanned;

    public async Task<StreamOutcome> RunAsync(SseStreamSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var monitor = monitors.For(spec.Backend);
        var tracker = monitor.OpenStream();
        var handler = new StreamItemHandler(monitor, spec);
        using var parser = new SseParser(limits, handler);
        try
        {
            var outcome = await RunLoopAsync(spec, monitor, tracker, parser, handler, cancellationToken).ConfigureAwait(false);
            tracker.Close(outcome.End == StreamEnd.Failed ? BackendState.Failed : BackendState.Idle);
            return outcome;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            tracker.Close(BackendState.Stopped);
            return new StreamOutcome(StreamEnd.Cancelled);
        }
        catch
        {
            tracker.Close(BackendState.Failed);
            throw;
        }
    }

    private async Task<StreamOutcome> RunLoopAsync(
        SseStreamSpec spec,
        BackendMonitor monitor,
        StreamTracker tracker,
        SseParser parser,
        StreamItemHandler handler,
        CancellationToken cancellationToken)
    {
        var attempt = 0;
        var failures = 0;
        var reauthenticated = false;
        var retryingAfterReauth = false;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!retryingAfterReauth)
            {
                attempt++;
            }

            var number = attempt;
            var started = clock.GetTimestamp();
            var result = await AttemptAsync(spec, number, retryingAfterReauth, monitor, tracker, parser, handler, cancellationToken).ConfigureAwait(false);
            retryingAfterReauth = false;

            if (result.Kind == AttemptKind.Terminal)
            {
                return new StreamOutcome(StreamEnd.Terminal);
            }

            if (result.Error is not null)
            {
                monitor.ReportError(result.Error);
                LogAttemptFailed(logger, spec.Backend, number, result.Error);
            }

            if (result.Accepted && !spec.ResumeAfterDrop)
            {
                return new StreamOutcome(StreamEnd.EndedWithoutTerminal, result.Error) { Stalled = result.Stalled };
            }

            var healthy = result.Delivered || clock.GetElapsedTime(started) >= timings.HealthyConnection;
            failures = healthy ? 1 : failures + 1;
            TimeSpan delay;
            switch (result.Kind)
            {
                case AttemptKind.Unauthorized:
                    if (!reauthenticated && spec.ReauthenticateAsync is { } reauthenticate)
                    {
                        reauthenticated = true;
                        if (await reauthenticate(cancellationToken).ConfigureAwait(false))
                        {
                            retryingAfterReauth = true;
                            monitor.RecordReconnect();
                            continue;
                        }
                    }

                    return Fail(monitor, UnauthorizedMessage(spec, result), result);

                case AttemptKind.Refused when spec.Lifetime == StreamLifetime.Run:
                    return Fail(monitor, result.Error ?? "refused", result);

                case AttemptKind.Refused:
                    tracker.Set(BackendState.Failed);
                    delay = Max(timings.SlowRetry, Backoff(parser, failures));
                    break;

                default:
                    delay = Max(result.RetryAfter ?? TimeSpan.Zero, Backoff(parser, failures));
                    break;
            }

            if (spec.Lifetime == StreamLifetime.Run && attempt >= spec.MaxAttempts)
            {
                var reason = $"gave up after {attempt} attempts: {result.Error ?? "stream ended without its final event"}";
                if (result.Kind == AttemptKind.Ended)
                {
                    monitor.ReportError(reason);
                    return new StreamOutcome(StreamEnd.EndedWithoutTerminal, reason);
                }

                return Fail(monitor, reason, result);
            }

            if (result.Kind != AttemptKind.Refused)
            {
                tracker.Set(BackendState.Reconnecting);
            }

            monitor.RecordReconnect();
            RetryPlanned?.Invoke(this, new RetryPlannedEventArgs(spec.Backend, attempt + 1, delay, result.Error ?? "stream ended"));
            await Task.Delay(delay, clock, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<AttemptResult> AttemptAsync(
        SseStreamSpec spec,
        int number,
        bool afterReauthentication,
        BackendMonitor monitor,
        StreamTracker tracker,
        SseParser parser,
        StreamItemHandler handler,
        CancellationToken cancellationToken)
    {
        var lastEventId = parser.LastEventId.Length > 0 ? parser.LastEventId : null;
        if (lastEventId is not null && !ByteBudget.Fits(lastEventId, monitor.EventIdBytes))
        {
            // Sending a huge id back would only get the request refused (431) on every reconnect.
            monitor.RecordIdNotResent();
            lastEventId = null;
        }

        HttpRequestMessage request;
        try
        {
            request = await spec.CreateRequest(new StreamAttempt(number, lastEventId, afterReauthentication), cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            return new AttemptResult(AttemptKind.Transient, $"preparing the request failed: {ex.Message}", HttpStatus: (int?)ex.StatusCode);
        }

        using (request)
        {
            if (lastEventId is not null)
            {
                // Sent as UTF-8 bytes (SseRequestHeaders): an id need not be ASCII.
                request.Headers.Remove(SseRequestHeaders.LastEventId);
                request.Headers.TryAddWithoutValidation(SseRequestHeaders.LastEventId, lastEventId);
            }

            if (request.Headers.Accept.Count == 0)
            {
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(EventStreamMediaType.Essence));
            }

            // As browsers do: no cache between us and the upstream may answer a live stream.
            if (request.Headers.CacheControl is null)
            {
                request.Headers.CacheControl = new CacheControlHeaderValue { NoCache = true };
            }

            var client = httpClientFactory.CreateClient(spec.HttpClientName);
            HttpResponseMessage response;
            try
            {
                response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException ex)
            {
                return new AttemptResult(AttemptKind.Transient, $"connection failed: {ex.Message}");
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return new AttemptResult(AttemptKind.Transient, "connection timed out");
            }

            using (response)
            {
                var refusal = await CheckResponseAsync(response, cancellationToken).ConfigureAwait(false);
                if (refusal is not null)
                {
                    return refusal;
                }

                tracker.Set(BackendState.Connected);
                if (spec.OnConnectedAsync is { } onConnected)
                {
                    await RunOnConnectedAsync(spec, onConnected, monitor, cancellationToken).ConfigureAwait(false);
                }

                handler.ResetDelivered();
                var result = await ReadAsync(spec, response, tracker, parser, handler, cancellationToken).ConfigureAwait(false);
                return result with { Accepted = true, Delivered = handler.Delivered > 0 };
            }
        }
    }

    private async Task<AttemptResult?> CheckResponseAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        if (!response.IsSuccessStatusCode)
        {
            var body = await ReadErrorBodyAsync(response, cancellationToken).ConfigureAwait(false);
            var message = $"HTTP {status} {response.ReasonPhrase}".TrimEnd() + BodySuffix(body);
            return response.StatusCode switch
            {
                HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden =>
                    new AttemptResult(AttemptKind.Unauthorized, message, status, body),
                HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout or >= HttpStatusCode.InternalServerError =>
                    new AttemptResult(AttemptKind.Transient, message, status, body, RetryAfter(response)),
                _ => new AttemptResult(AttemptKind.Refused, message, status, body),
            };
        }

        // As in browsers, only 200 opens a stream: 204 is the standard way to say "do not reconnect".
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var body = await ReadErrorBodyAsync(response, cancellationToken).ConfigureAwait(false);
            return new AttemptResult(AttemptKind.Refused, $"not an event stream: HTTP {status} {response.ReasonPhrase} (an event stream answers 200)".Replace("  ", " ", StringComparison.Ordinal), status, body);
        }

        // The raw values, parsed as browsers do: a strict parser refuses "text/event-stream;".
        var contentType = response.Content.Headers.NonValidated.TryGetValues("Content-Type", out var values) ? values.ToArray() : [];
        if (!EventStreamMediaType.IsEventStream(contentType))
        {
            var body = await ReadErrorBodyAsync(response, cancellationToken).ConfigureAwait(false);
            var shown = contentType.Length == 0 ? "none" : string.Join(", ", contentType);
            var message = $"not an event stream: HTTP {status} with content type '{shown}' (expected {EventStreamMediaType.Essence})";
            return new AttemptResult(AttemptKind.Refused, message, status, body);
        }

        return null;
    }

    private async Task<AttemptResult> ReadAsync(
        SseStreamSpec spec,
        HttpResponseMessage response,
        StreamTracker tracker,
        SseParser parser,
        StreamItemHandler handler,
        CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ReadBufferBytes);
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                // A stall is "no complete event", not "no byte": an upstream trickling a byte
                // now and then must not keep a stream (and its run) alive.
                var idle = false;
                var lastEvent = clock.GetTimestamp();
                var eventsSeen = handler.Completed;
                while (true)
                {
                    // The read is awaited as it comes: a Task (and a timer) per read only when a
                    // stall timer must watch a read that did not complete at once. Each path
                    // consumes the ValueTask exactly once (as a Task, or by the await below).
#pragma warning disable CA2012
                    var pending = stream.ReadAsync(buffer.AsMemory(), cancellationToken);
#pragma warning restore CA2012
                    Task<int>? watched = null;
                    if (spec.StallTimeout is { } stall && !idle)
                    {
                        var remaining = stall - clock.GetElapsedTime(lastEvent);
                        var stalled = remaining <= TimeSpan.Zero;
                        if (!stalled && !pending.IsCompleted)
                        {
                            watched = pending.AsTask();
                            try
                            {
                                await watched.WaitAsync(remaining, clock, cancellationToken).ConfigureAwait(false);
                            }
                            catch (TimeoutException)
                            {
                                stalled = true;
                            }
                        }

                        if (stalled)
                        {
                            if (!spec.SilenceIsIdle)
                            {
                                response.Dispose();
                                await ObserveAsync(watched ?? pending.AsTask()).ConfigureAwait(false);
                                parser.Complete();
                                return new AttemptResult(AttemptKind.Transient, $"stalled: no complete event for {stall.TotalSeconds:0.###} s", Stalled: true);
                            }

                            idle = true;
                            tracker.Set(BackendState.Idle);
                        }
                    }

                    var count = watched is null ? await pending.ConfigureAwait(false) : await watched.ConfigureAwait(false);
                    if (count == 0)
                    {
                        parser.Complete();
                        return new AttemptResult(AttemptKind.Ended, "stream ended without its final event");
                    }

                    // Idle is what the page shows: any byte shows the stream alive again, while
                    // the stall clock below still counts from the last complete event.
                    if (idle)
                    {
                        idle = false;
                        tracker.Set(BackendState.Connected);
                    }

                    parser.Feed(buffer.AsSpan(0, count));
                    if (handler.Terminal)
                    {
                        return new AttemptResult(AttemptKind.Terminal);
                    }

                    if (handler.Completed != eventsSeen)
                    {
                        eventsSeen = handler.Completed;
                        lastEvent = clock.GetTimestamp();
                    }
                }
            }
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            parser.Complete();
            return new AttemptResult(AttemptKind.Ended, $"connection dropped: {ex.Message}");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task RunOnConnectedAsync(SseStreamSpec spec, Func<CancellationToken, Task> onConnected, BackendMonitor monitor, CancellationToken cancellationToken)
    {
        try
        {
            await onConnected(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A failed snapshot load is worth showing, but the live stream is still worth reading.
            monitor.ReportError($"after connecting: {ex.Message}");
            LogAttemptFailed(logger, spec.Backend, 0, ex.Message);
        }
    }

    private async Task<string?> ReadErrorBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(timings.ErrorBodyBytes);
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var total = 0;
                int read;
                while (total < timings.ErrorBodyBytes
                    && (read = await stream.ReadAsync(buffer.AsMemory(total, timings.ErrorBodyBytes - total), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    total += read;
                }

                return total == 0 ? null : Encoding.UTF8.GetString(buffer, 0, total);
            }
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        var wait = header?.Delta ?? (header?.Date is { } date ? date - clock.GetUtcNow() : null);
        return wait is { } value ? Clamp(value, TimeSpan.Zero, MaxRetryAfter) : null;
    }

    private TimeSpan Backoff(SseParser parser, int failures)
    {
        var baseDelay = parser.ReconnectionTime ?? timings.InitialBackoff;
        var cap = Max(timings.MaxBackoff, baseDelay);
        var exponent = Math.Clamp(failures - 1, 0, 30);
        var raw = TimeSpan.FromTicks((long)Math.Min(cap.Ticks, baseDelay.Ticks * Math.Pow(2, exponent)));
        var jitter = 1 + (timings.Jitter * ((Random.Shared.NextDouble() * 2) - 1));
        return TimeSpan.FromTicks((long)(raw.Ticks * jitter));
    }

    private StreamOutcome Fail(BackendMonitor monitor, string message, AttemptResult result)
    {
        monitor.ReportError(message);
        return new StreamOutcome(StreamEnd.Failed, message, result.HttpStatus, result.ErrorBody);
    }

    private static string UnauthorizedMessage(SseStreamSpec spec, AttemptResult result) =>
        $"unauthorized (HTTP {result.HttpStatus}): check the credentials of backend '{spec.Backend}' (Dashboard:Backends:…:ApiKey, :Username/:Password or :Headers)"
        + BodySuffix(result.ErrorBody);

    private static string BodySuffix(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return "";
        }

        var flat = body.ReplaceLineEndings(" ").Trim();
        return ": " + (flat.Length > 300 ? flat[..300] + "…" : flat);
    }

    private static async Task ObserveAsync(Task read)
    {
        try
        {
            await read.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException or ObjectDisposedException or OperationCanceledException)
        {
            // The read was abandoned on purpose (stall): its failure is expected.
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static TimeSpan Clamp(TimeSpan value, TimeSpan min, TimeSpan max) => value < min ? min : value > max ? max : value;

    [LoggerMessage(Level = LogLevel.Information, Message = "Stream of backend {Backend}, attempt {Attempt}: {Error}")]
    private static partial void LogAttemptFailed(ILogger logger, string backend, int attempt, string error);
}
