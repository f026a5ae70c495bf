using Dashboard.Ingest;
using Dashboard.Ingest.Sse;

namespace Dashboard.Tests.Backends.Llm;

/// <summary>
/// Stand-in for the ingest runner (not on main yet) implementing only the <see cref="ISseStreamRunner"/>
/// contract points the LLM clients rely on for a run stream that must not resume: one request per
/// attempt, 429/5xx retried up to MaxAttempts, other refusals failed at once with status and body,
/// OnConnectedAsync, decode until terminal, a drop or an early end = EndedWithoutTerminal.
/// </summary>
internal sealed class InterimStreamRunner : ISseStreamRunner
{
    public async Task<StreamOutcome> RunAsync(SseStreamSpec spec, CancellationToken cancellationToken)
    {
        using var http = new HttpClient();
        for (var attempt = 1; ; attempt++)
        {
            using var request = await spec.CreateRequest(new StreamAttempt(attempt, null, false), cancellationToken);
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return new StreamOutcome(StreamEnd.Cancelled);
            }
            catch (HttpRequestException e)
            {
                return new StreamOutcome(StreamEnd.Failed, e.Message);
            }

            using (response)
            {
                var status = (int)response.StatusCode;
                if (!response.IsSuccessStatusCode)
                {
                    var body = await response.Content.ReadAsStringAsync(cancellationToken);
                    if ((status == 429 || status >= 500) && attempt < spec.MaxAttempts)
                    {
                        continue;
                    }

                    return new StreamOutcome(StreamEnd.Failed, $"HTTP {status}", status, body);
                }

                if (spec.OnConnectedAsync is { } connected)
                {
                    await connected(cancellationToken);
                }

                try
                {
                    await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
                    await foreach (var item in SseStreamReading.ReadItemsAsync(stream, SseParserLimits.Default, cancellationToken))
                    {
                        spec.Decoder.Decode(item, spec.Context);
                        if (spec.Decoder.IsTerminal)
                        {
                            return new StreamOutcome(StreamEnd.Terminal);
                        }
                    }
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return new StreamOutcome(StreamEnd.Cancelled);
                }
                catch (Exception e) when (e is IOException or HttpRequestException)
                {
                    return new StreamOutcome(StreamEnd.EndedWithoutTerminal, "connection lost");
                }

                return new StreamOutcome(StreamEnd.EndedWithoutTerminal);
            }
        }
    }
}
