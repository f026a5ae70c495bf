using System.Collections;
using System.Net.Http.Headers;
using System.Text.Json;
using Dashboard.Testing;
using MessagePack;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.LiveApi;

/// <summary>One received live event, whatever the transport; <see cref="Data"/> normalized to JSON.</summary>
public sealed record Received(long Sequence, string Type, string At, string? Backend, string? RunId, JsonElement Data, bool HasId, string? Id)
{
    public string? Str(string name) => Data.GetProperty(name).ValueKind == JsonValueKind.Null ? null : Data.GetProperty(name).GetString();
}

/// <summary>A live event as a SignalR client declares it (the same camelCase keys on JSON and MessagePack).</summary>
[MessagePackObject]
public sealed class WireEvent
{
    [Key("sequence")]
    public long Sequence { get; set; }

    [Key("type")]
    public string Type { get; set; } = "";

    [Key("at")]
    public string At { get; set; } = "";

    [Key("backend")]
    public string? Backend { get; set; }

    [Key("runId")]
    public string? RunId { get; set; }

    [Key("data")]
    public object? Data { get; set; }

    public Received ToReceived() => new(Sequence, Type, At, Backend, RunId, LiveClients.Normalize(Data), true, null);
}

internal static class LiveClients
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    public static Uri BaseUri(TestApp server) => new(server.BaseUrl + "/");

    /// <summary>A plain HttpClient on the real socket (no test handler in between), like curl.</summary>
    public static HttpClient Http(Uri baseUri, string? token = TestApp.Token)
    {
        var client = new HttpClient { BaseAddress = baseUri, Timeout = Timeout.InfiniteTimeSpan };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public static HubConnection Hub(Uri baseUri, bool messagePack, string? token = TestApp.Token)
    {
        var builder = new HubConnectionBuilder()
            .WithUrl(new Uri(baseUri, "hubs/events"), o =>
            {
                if (token is not null)
                {
                    o.AccessTokenProvider = () => Task.FromResult<string?>(token);
                }
            })
            .WithStatefulReconnect();
        if (messagePack)
        {
            builder.AddMessagePackProtocol();
        }

        return builder.Build();
    }

    /// <summary>MessagePack gives maps and arrays of objects, JSON gives JsonElement: both become JSON.</summary>
    public static JsonElement Normalize(object? data) => data switch
    {
        JsonElement e => e.Clone(),
        _ => JsonSerializer.SerializeToElement(Plain(data)),
    };

    private static object? Plain(object? value) => value switch
    {
        null => null,
        string s => s,
        IDictionary map => map.Keys.Cast<object>().ToDictionary(k => k.ToString()!, k => Plain(map[k])),
        IEnumerable list => list.Cast<object?>().Select(Plain).ToList(),
        _ => value,
    };
}

/// <summary>GET /api/events read line by line, as curl -N shows it.</summary>
internal sealed class SseConnection : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;
    private int _comments;

    private SseConnection(HttpResponseMessage response, StreamReader reader)
    {
        _response = response;
        _reader = reader;
    }

    public int Comments => Volatile.Read(ref _comments);

    public static async Task<SseConnection> OpenAsync(HttpClient client, string url, string? lastEventId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var stream = await response.Content.ReadAsStreamAsync();
        return new SseConnection(response, new StreamReader(stream));
    }

    /// <summary>The next event, or null when the server ended the stream.</summary>
    public async Task<Received?> NextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? LiveClients.Patience);
        string? id = null, type = null, data = null;
        while (true)
        {
            var line = await _reader.ReadLineAsync(cts.Token);
            if (line is null)
            {
                return null;
            }

            if (line.Length == 0)
            {
                if (data is null)
                {
                    continue;
                }

                var json = JsonDocument.Parse(data).RootElement.Clone();
                var e = new Received(
                    json.GetProperty("sequence").GetInt64(),
                    json.GetProperty("type").GetString()!,
                    json.GetProperty("at").GetString()!,
                    json.GetProperty("backend").GetString(),
                    json.GetProperty("runId").GetString(),
                    json.GetProperty("data").Clone(),
                    id is not null,
                    id);
                Assert.Equal(type, e.Type); // event: is the type
                return e;
            }

            if (line.StartsWith(':'))
            {
                Interlocked.Increment(ref _comments);
            }
            else if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = line[4..];
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                type = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                Assert.Null(data); // one data line per event: the JSON never spans lines
                data = line[6..];
            }
        }
    }

    /// <summary>Reads until <paramref name="stop"/> matches (inclusive).</summary>
    public async Task<List<Received>> UntilAsync(Func<Received, bool> stop)
    {
        var list = new List<Received>();
        while (true)
        {
            var e = await NextAsync() ?? throw new InvalidOperationException("The stream ended early.");
            list.Add(e);
            if (stop(e))
            {
                return list;
            }
        }
    }

    /// <summary>Reads a comment line (heartbeat) or fails.</summary>
    public async Task<string?> LineAsync(CancellationToken cancellationToken) => await _reader.ReadLineAsync(cancellationToken);

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>A SignalR subscription read item by item.</summary>
internal sealed class HubSubscription(IAsyncEnumerator<WireEvent> items, CancellationTokenSource stop) : IAsyncDisposable
{
    public static HubSubscription Open(HubConnection hub, object request)
    {
        var stop = new CancellationTokenSource();
        return new HubSubscription(hub.StreamAsync<WireEvent>("Subscribe", request, stop.Token).GetAsyncEnumerator(stop.Token), stop);
    }

    public async Task<Received> NextAsync()
    {
        Assert.True(await items.MoveNextAsync().AsTask().WaitAsync(LiveClients.Patience), "the stream ended early");
        return items.Current.ToReceived();
    }

    public async Task<List<Received>> UntilAsync(Func<Received, bool> stop)
    {
        var list = new List<Received>();
        while (true)
        {
            var e = await NextAsync();
            list.Add(e);
            if (stop(e))
            {
                return list;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        try
        {
            await items.DisposeAsync();
        }
        catch (OperationCanceledException)
        {
        }

        stop.Dispose();
    }
}
