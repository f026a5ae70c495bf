using System.Text;
using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.Ingest;
using Dashboard.Ingest.Monitoring;
using Dashboard.Ingest.Streaming;
using Dashboard.Tests.TestSupport;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Dashboard.Tests.Ingest;

/// <summary>
/// The web-platform-tests EventSource cases (folder eventsource/: the format-* files, the
/// reconnection, status, redirect and request-header cases, their message and last-event-id
/// handlers) that apply to a server-side client, restated as data and played through the real
/// runner over a real socket. Each case names the test file it comes from. Left out: constructor,
/// realm, worker, CORS, credentials and bfcache cases (browser-only), and the 5xx status cases:
/// a browser gives up on 503, this runner retries 5xx and 429 on purpose (backoff, Retry-After).
/// </summary>
public sealed class EventSourceConformanceTests : IAsyncDisposable
{
    private const string Backend = "wpt";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly SignalingTimeProvider _clock = new();
    private readonly RecordingSink _sink = new();
    private ServiceProvider? _services;
    private LoopbackUpstream? _server;

    /// <summary>One response body, what a browser dispatches from it (type, data, lastEventId).</summary>
    public sealed record FormatCase(string Source, string Body, (string Type, string Data, string Id)[] Dispatched, string ContentType = "text/event-stream");

    private static readonly Dictionary<string, FormatCase> Formats = new()
    {
        ["bom"] = new("format-bom", "\uFEFFdata:1\n\n\uFEFFdata:2\n\ndata:3\n\n", [M("1"), M("3")]),
        ["bom twice"] = new("format-bom-2", "\uFEFF\uFEFFdata:1\n\ndata:2\n\ndata:3\n", [M("2")]),
        ["comments"] = new("format-comments", $"data:1\r:\0\n:\r\ndata:2\n:{new string('x', 2048)}\rdata:3\n:data:fail\r:{new string('x', 2048)}\ndata:4\n\n", [M("1\n2\n3\n4")]),
        ["data field"] = new("format-field-data", "data:\n\ndata\ndata\n\ndata:test\n\n", [M(""), M("\n"), M("test")]),
        ["empty event type"] = new("format-field-event-empty", "event: \ndata:data\n\n", [M("data")]),
        ["event type"] = new("format-field-event", "event:test\ndata:x\n\ndata:x\n\n", [("test", "x", ""), M("x")]),
        ["id persists"] = new("format-field-id-3", "id: 1\ndata: 1\n\ndata:2\n\n", [M("1", "1"), M("2", "1")]),
        ["id changes and persists"] = new("format-field-id-3", "id: 1\ndata: 1\n\nid: 2\ndata:2\n\ndata:3\n\n", [M("1", "1"), M("2", "2"), M("3", "2")]),
        ["id resets"] = new("format-field-id-3", "id: 1\ndata: 1\n\nid:\ndata:2\n\ndata:3\n\n", [M("1", "1"), M("2"), M("3")]),
        ["id with NUL is ignored"] = new("format-field-id-null", "id: 1\ndata: a\n\nid: 2\0\ndata: b\n\n", [M("a", "1"), M("b", "1")]),
        ["field parsing"] = new("format-field-parsing", "data:\0\ndata:  2\rData:1\ndata\0:2\ndata:1\r\0data:4\nda-ta:3\rdata_5\ndata:3\rdata:\r\n data:32\ndata:4\n\n", [M("\0\n 2\n1\n3\n\n4")]),
        ["empty retry"] = new("format-field-retry-empty", "retry\ndata:test\n\n", [M("test")]),
        ["unknown fields"] = new("format-field-unknown", "data:test\n data\ndata\nfoobar:xxx\njustsometext\n:thisisacommentyay\ndata:test\n\n", [M("test\n\ntest")]),
        ["leading space"] = new("format-leading-space", "data:\ttest\rdata: \ndata:test\n\n", [M("\ttest\n\ntest")]),
        ["newlines"] = new("format-newlines", "data:test\r\ndata\ndata:test\r\n\r\n", [M("test\n\ntest")]),
        ["NUL character"] = new("format-null-character", "data:\0\n\n", [M("\0")]),
        ["UTF-8 whatever the charset says"] = new("format-utf-8", "data:ok…\n\n", [M("ok…")], "text/event-stream; charset=windows-1252"),
        ["no final blank line"] = new("format-data-before-final-empty-line", "retry:1000\ndata:test1\n\nid:test\ndata:test2\n", [M("test1")]),
        ["media type with a trailing semicolon"] = new("format-mime-trailing-semicolon", "data: data\n\n", [M("data")], "text/event-stream;"),
        ["media type in capitals with spaces and parameters"] = new("format-mime-trailing-semicolon (same rule)", "data: data\n\n", [M("data")], "TEXT/Event-Stream ; charset=utf-8; x=\"a,b\""),
        ["bogus valid media type"] = new("format-mime-valid-bogus", "data: data\n\n", [], "text/x-bogus"),
        ["bogus media type"] = new("format-mime-bogus", "data: data\n\n", [], "x/x"),
        ["no media type"] = new("format-mime-bogus (none at all)", "data: data\n\n", [], ""),
    };

    public static TheoryData<string> FormatNames => [.. Formats.Keys];

    private static (string, string, string) M(string data, string id = "") => (SseItem.DefaultEventType, data, id);

    [Theory]
    [MemberData(nameof(FormatNames))]
    public async Task Format_case_dispatches_what_a_browser_dispatches(string name)
    {
        var format = Formats[name];
        await StartServerAsync(async (context, _) =>
        {
            context.Response.StatusCode = 200;
            if (format.ContentType.Length > 0)
            {
                context.Response.Headers.ContentType = format.ContentType;
            }

            await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(format.Body));
        });
        var decoder = new TestDecoder();

        var outcome = await Runner.RunAsync(Spec(decoder, resume: false), CancellationToken.None).WaitAsync(Timeout);

        Assert.Equal(format.Dispatched, decoder.Items.Select(i => (i.EventType, i.Data, i.LastEventId)).ToArray());
        var accepted = format.Dispatched.Length > 0;
        Assert.Equal(accepted ? StreamEnd.EndedWithoutTerminal : StreamEnd.Failed, outcome.End);
        if (!accepted)
        {
            Assert.Contains("not an event stream", outcome.Error, StringComparison.Ordinal);
        }

        var request = Assert.Single(_server!.Requests);
        Assert.Equal("text/event-stream", request.Accept);
        Assert.Equal("no-cache", request.Headers["Cache-Control"]);
    }

    [Fact]
    public async Task A_non_ascii_id_is_sent_back_as_utf8_last_event_id_on_every_reconnect()
    {
        // format-field-id and format-field-id-2 with the last-event-id handler: the id "…" comes back.
        var seen = new List<string?>();
        await StartServerAsync(async (context, number) =>
        {
            await LoopbackUpstream.BeginStreamAsync(context);
            var echoed = context.Request.Headers["Last-Event-ID"].ToString();
            seen.Add(context.Request.Headers.ContainsKey("Last-Event-ID") ? echoed : null);
            await LoopbackUpstream.WriteAsync(context, number switch
            {
                1 => "id: …\ndata: hello\n\n",
                < 4 => $"id: {echoed}\ndata: {echoed}\n\n",
                _ => "data: [DONE]\n\n",
            });
        });
        var decoder = new TestDecoder();

        var run = Runner.RunAsync(Spec(decoder), CancellationToken.None);
        await _clock.DriveAsync(run, Timeout);

        Assert.Equal(StreamEnd.Terminal, (await run).End);
        Assert.Equal([("hello", "…"), ("…", "…"), ("…", "…"), ("[DONE]", "…")], decoder.Items.Select(i => (i.Data, i.LastEventId)));
        Assert.Equal([null, "…", "…", "…"], seen);
        Assert.DoesNotContain("ASCII", Health.LastError ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dropped_connection_is_reopened_and_the_next_message_arrives()
    {
        // eventsource-reconnect with status-reconnect?ok_first: "ok" on the first connection, "data" after reconnecting.
        await StartServerAsync(async (context, number) =>
        {
            await LoopbackUpstream.BeginStreamAsync(context);
            await LoopbackUpstream.WriteAsync(context, number == 1 ? "data: ok\n\n" : "data: data\n\ndata: [DONE]\n\n");
        });
        var decoder = new TestDecoder();

        var run = Runner.RunAsync(Spec(decoder), CancellationToken.None);
        await _clock.DriveAsync(run, Timeout);

        Assert.Equal(StreamEnd.Terminal, (await run).End);
        Assert.Equal(["ok", "data", "[DONE]"], decoder.Items.Select(i => i.Data));
        Assert.Equal(1, Health.Reconnects);
    }

    [Fact]
    public async Task An_event_cut_before_its_blank_line_is_never_dispatched_and_its_id_never_sent()
    {
        // format-data-before-final-empty-line: the second message is "test1" again, with an empty lastEventId.
        await StartServerAsync(async (context, number) =>
        {
            await LoopbackUpstream.BeginStreamAsync(context);
            await LoopbackUpstream.WriteAsync(context, number < 3 ? "retry:1000\ndata:test1\n\nid:test\ndata:test2\n" : "data: [DONE]\n\n");
        });
        var decoder = new TestDecoder();

        var run = Runner.RunAsync(Spec(decoder), CancellationToken.None);
        var delays = await _clock.DriveAsync(run, Timeout);

        Assert.Equal([("test1", ""), ("test1", ""), ("[DONE]", "")], decoder.Items.Select(i => (i.Data, i.LastEventId)));
        Assert.All(_server!.Requests, r => Assert.Null(r.LastEventId));
        Assert.Equal(TimeSpan.FromSeconds(1), delays[0]);
    }

    [Theory]
    [InlineData("format-field-retry", "retry:03000\ndata:x\n\n", 3000)]
    [InlineData("format-field-retry-bogus", "retry:3000\nretry:1000x\ndata:x\n\n", 3000)]
    public async Task Retry_sets_the_reconnection_time_only_when_it_is_all_digits(string source, string body, int expectedMs)
    {
        Assert.StartsWith("format-field-retry", source, StringComparison.Ordinal);
        await StartServerAsync(async (context, number) =>
        {
            await LoopbackUpstream.BeginStreamAsync(context);
            await LoopbackUpstream.WriteAsync(context, number == 1 ? body : "data: [DONE]\n\n");
        });

        var run = Runner.RunAsync(Spec(new TestDecoder()), CancellationToken.None);
        var delays = await _clock.DriveAsync(run, Timeout);

        Assert.Equal([TimeSpan.FromMilliseconds(expectedMs)], delays);
    }

    [Fact]
    public async Task An_id_reset_to_empty_sends_no_last_event_id()
    {
        // format-field-id-3 "resets", and format-field-id-null: an ignored id leaves nothing to send.
        await StartServerAsync(async (context, number) =>
        {
            await LoopbackUpstream.BeginStreamAsync(context);
            await LoopbackUpstream.WriteAsync(context, number switch
            {
                1 => "id: 1\ndata: 1\n\nid:\ndata: 2\n\n",
                2 => "id: x\0y\ndata: 3\n\n",
                _ => "data: [DONE]\n\n",
            });
        });

        var run = Runner.RunAsync(Spec(new TestDecoder()), CancellationToken.None);
        await _clock.DriveAsync(run, Timeout);

        Assert.Equal([null, null, null], _server!.Requests.Select(r => r.LastEventId));
    }

    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(303)]
    [InlineData(307)]
    [InlineData(308)]
    public async Task Redirects_are_followed_to_the_stream(int status)
    {
        // request-redirect.
        await StartServerAsync(async (context, _) =>
        {
            if (context.Request.Path == "/stream")
            {
                context.Response.StatusCode = status;
                context.Response.Headers.Location = "/moved";
                return;
            }

            await LoopbackUpstream.BeginStreamAsync(context);
            await LoopbackUpstream.WriteAsync(context, "data: data\n\ndata: [DONE]\n\n");
        });
        var decoder = new TestDecoder();

        var outcome = await Runner.RunAsync(Spec(decoder), CancellationToken.None).WaitAsync(Timeout);

        Assert.Equal(StreamEnd.Terminal, outcome.End);
        Assert.Equal(["data", "[DONE]"], decoder.Items.Select(i => i.Data));
    }

    [Theory]
    [InlineData(204)]
    [InlineData(205)]
    [InlineData(210)]
    [InlineData(299)]
    [InlineData(404)]
    [InlineData(410)]
    public async Task A_status_other_than_200_fails_the_connection_without_a_message_or_a_retry(int status)
    {
        // request-status-error (and status-reconnect with those statuses): the connection fails, nothing is dispatched.
        await StartServerAsync(async (context, _) =>
        {
            context.Response.StatusCode = status;
            if (status != 204 && status != 205)
            {
                context.Response.ContentType = "text/event-stream";
                await context.Response.WriteAsync("data: data\n\n");
            }
        });
        var decoder = new TestDecoder();

        var outcome = await Runner.RunAsync(Spec(decoder), CancellationToken.None).WaitAsync(Timeout);

        Assert.Equal(StreamEnd.Failed, outcome.End);
        Assert.Empty(decoder.Items);
        Assert.Single(_server!.Requests);
        Assert.Equal(BackendState.Failed, Health.State);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_services is not null)
        {
            await _services.DisposeAsync();
        }
    }

    private SseStreamRunner Runner => Services.GetRequiredService<SseStreamRunner>();

    private BackendHealth Health => Services.GetRequiredService<BackendMonitors>().For(Backend).Health;

    private ServiceProvider Services => _services ??= BuildServices();

    private ServiceProvider BuildServices()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(Options.Create(new DashboardOptions { Backends = [new BackendOptions { Name = Backend, Kind = "sse" }] }));
        services.AddSingleton<IDomainEventSink>(_sink);
        services.AddSingleton<TimeProvider>(_clock);
        services.AddSingleton(new IngestTimings { Jitter = 0 });
        services.AddIngest();
        return services.BuildServiceProvider();
    }

    private async Task StartServerAsync(Func<HttpContext, int, Task> handle) => _server = await LoopbackUpstream.StartAsync(handle);

    /// <param name="resume">False: one response only (a format case); true: reconnect as a browser does.</param>
    private SseStreamSpec Spec(TestDecoder decoder, bool resume = true) => new()
    {
        Backend = Backend,
        HttpClientName = "wpt",
        CreateRequest = (_, _) => Task.FromResult(new HttpRequestMessage(HttpMethod.Get, new Uri(_server!.Root, "stream"))),
        Decoder = decoder,
        Context = new DecodeContext(Backend, "run-1", _sink, _clock),
        ResumeAfterDrop = resume,
    };
}
