using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dashboard.Domain;
using Dashboard.Events;
using Dashboard.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dashboard.Tests.Security;

/// <summary>
/// The redaction boundary against an attacker's upstream on a real loopback socket: it echoes
/// every secret it knows (the configured API key, password and header value, the sign-in token,
/// and the login JWT and stream tokens it issued itself) into every field it controls, and in the
/// streamed answer, thinking and tool arguments it splits each secret at every position across
/// two deltas. No secret may reach the hub's events, the API, a rendered page or the log.
/// </summary>
public sealed class SecretEchoTests
{
    private const string ApiKey = "sk-echo-APIKEY-7731";
    private const string Password = "pw-echo-PASSWORD-5512";
    private const string HeaderSecret = "hdr-echo-HEADER-9034";
    private const string Prompt = "Echo prompt for the sweep";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task No_echoed_secret_reaches_the_hub_the_api_a_page_or_the_log()
    {
        var upstream = new EchoingUpstream([ApiKey, Password, HeaderSecret, TestApp.Token]);
        await using var server = await LoopbackUpstream.StartAsync(upstream.Map);
        await using var app = new TestApp(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Debug",
            ["Dashboard:Backends:0:Name"] = "gen",
            ["Dashboard:Backends:0:Kind"] = "codegen",
            ["Dashboard:Backends:0:BaseUrl"] = server.BaseUrlAt("codegen"),
            ["Dashboard:Backends:0:Username"] = "me",
            ["Dashboard:Backends:0:Password"] = Password,
            ["Dashboard:Backends:0:Headers:X-Team-Key"] = HeaderSecret,
            ["Dashboard:Backends:1:Name"] = "chat",
            ["Dashboard:Backends:1:Kind"] = "openai-chat",
            ["Dashboard:Backends:1:BaseUrl"] = server.BaseUrlAt("openai/v1"),
            ["Dashboard:Backends:1:ApiKey"] = ApiKey,
            ["Dashboard:Backends:1:Model"] = "echo-model",
        })
        {
            Demo = false,
        };
        using var api = app.CreateApiClient();
        using var subscription = app.Services.GetRequiredService<IEventHub>().Subscribe(capacity: 1_000_000);

        // Codegen first: its JWT and stream tokens are then known to the upstream and echoed by the chat runs too.
        var published = new List<DashboardEvent>();
        var codegen = await RunAsync(api, subscription, published, "gen", Prompt);
        var chat = await RunAsync(api, subscription, published, "chat", Prompt);
        var refused = await RunAsync(api, subscription, published, "chat", "refuse");
        var secrets = upstream.Known;
        Assert.Contains(secrets, s => s.StartsWith("jwt-echo-", StringComparison.Ordinal));
        Assert.Contains(secrets, s => s.StartsWith("sse-echo-", StringComparison.Ordinal));

        // Hub: every event published, serialized whole.
        while (subscription.Events.TryRead(out var late))
        {
            published.Add(late.Event);
        }

        Assert.Equal(0, subscription.Dropped);
        Assert.Contains(published, e => e is RunTextReceived);
        AssertClean("hub", secrets, published.Select(e => JsonSerializer.Serialize(e, e.GetType())));

        // API: the runs (text, tool calls, timeline, error), the list, the backends and the inspector.
        var answers = new List<string>();
        foreach (var path in new[] { $"/api/runs/{codegen}", $"/api/runs/{chat}", $"/api/runs/{refused}", "/api/runs", "/api/backends", "/api/backends/gen/events?limit=1000", "/api/backends/chat/events?limit=1000" })
        {
            answers.Add(await api.GetStringAsync(new Uri(path, UriKind.Relative)));
        }

        AssertClean("api", secrets, answers);

        // Pages, as the server renders them for a signed-in browser.
        // Keeps cookies, like a browser.
        using var browser = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri(app.BaseUrl), HandleCookies = true });
        using (var login = await browser.GetAsync(new Uri($"/login?t={TestApp.Token}", UriKind.Relative)))
        {
            Assert.True(login.IsSuccessStatusCode || login.StatusCode == HttpStatusCode.Redirect, $"sign-in: {login.StatusCode}");
        }

        var pages = new List<string>();
        foreach (var path in new[] { $"/runs/{codegen}", $"/runs/{chat}", $"/runs/{refused}", "/runs", "/backends" })
        {
            pages.Add(await browser.GetStringAsync(new Uri(path, UriKind.Relative)));
        }

        AssertClean("page", secrets, pages);

        // Log: every line of every category, at Debug.
        AssertClean("log", secrets, app.LogLines);

        // Controls: the echo really arrived (masked), and the split answer was put back together intact.
        using var chatRun = JsonDocument.Parse(answers[1]);
        Assert.Equal(upstream.ExpectedAnswer(SecretRedactorMask), chatRun.RootElement.GetProperty("text").GetString());
        Assert.Contains(SecretRedactorMask, chatRun.RootElement.GetProperty("toolCalls")[0].GetProperty("arguments").GetString(), StringComparison.Ordinal);
        using var codegenRun = JsonDocument.Parse(answers[0]);
        Assert.Equal("failed", codegenRun.RootElement.GetProperty("status").GetString());
        Assert.Contains(SecretRedactorMask, codegenRun.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains(Prompt, pages[1], StringComparison.Ordinal);
        Assert.Contains(app.LogLines, line => line.Contains(SecretRedactorMask, StringComparison.Ordinal));
    }

    private const string SecretRedactorMask = Dashboard.Security.SecretRedactor.Mask;

    /// <summary>Starts a run through the API and reads the hub until it ended, keeping every event read.</summary>
    private static async Task<string> RunAsync(HttpClient api, HubSubscription subscription, List<DashboardEvent> published, string backend, string prompt)
    {
        using var start = await api.PostAsJsonAsync(new Uri("/api/runs", UriKind.Relative), new { backend, prompt });
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var id = (await start.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        using var timeout = new CancellationTokenSource(Patience);
        await foreach (var item in subscription.Events.ReadAllAsync(timeout.Token))
        {
            published.Add(item.Event);
            if (item.Event is RunEnded ended && ended.RunId == id)
            {
                return id;
            }
        }

        throw new InvalidOperationException("The subscription ended.");
    }

    private static void AssertClean(string where, IReadOnlyCollection<string> secrets, IEnumerable<string> texts)
    {
        var count = 0;
        foreach (var text in texts)
        {
            count++;
            foreach (var secret in secrets)
            {
                Assert.False(text.Contains(secret, StringComparison.Ordinal), $"{where} shows secret {secret[..6]}…: {Excerpt(text, secret)}");
            }
        }

        Assert.True(count > 0, $"nothing was read from the {where}");
    }

    private static string Excerpt(string text, string secret)
    {
        var at = text.IndexOf(secret, StringComparison.Ordinal);
        return text.Substring(Math.Max(0, at - 80), Math.Min(text.Length - Math.Max(0, at - 80), 160 + secret.Length));
    }

    /// <summary>An upstream that speaks codegen and OpenAI chat, and puts every secret it knows everywhere.</summary>
    private sealed class EchoingUpstream(IEnumerable<string> configured)
    {
        private readonly ConcurrentQueue<string> _known = new(configured);
        private int _streams;

        public IReadOnlyCollection<string> Known => [.. _known];

        private string All => string.Join(" ", _known);

        public void Map(WebApplication app)
        {
            app.MapPost("/codegen/auth/login", async context =>
            {
                var jwt = "jwt-echo-" + Guid.NewGuid().ToString("N");
                _known.Enqueue(jwt);
                await LoopbackUpstream.JsonAsync(context, 200, JsonSerializer.Serialize(new { access_token = jwt, token_type = "bearer", note = All }));
            });
            app.MapPost("/codegen/generations/generate", context =>
                LoopbackUpstream.JsonAsync(context, 200, JsonSerializer.Serialize(new { generation_id = "gen-echo-1", message = All })));
            app.MapPost("/codegen/generations/generate/{id}/stream-token", async context =>
            {
                if (Interlocked.Increment(ref _streams) > 1)
                {
                    await LoopbackUpstream.JsonAsync(context, 400, JsonSerializer.Serialize(new { detail = "over: " + All }));
                    return;
                }

                var token = "sse-echo-" + Guid.NewGuid().ToString("N");
                _known.Enqueue(token);
                await LoopbackUpstream.JsonAsync(context, 200, JsonSerializer.Serialize(new { sse_token = token, expires_in = 60 }));
            });
            app.MapGet("/codegen/generations/generate/{id}/stream", async context =>
            {
                LoopbackUpstream.StartEventStream(context);
                var all = All;
                var events = new List<object>
                {
                    new { generation_id = "gen-echo-1", status = "processing", stage = "stage " + all, progress = 0.1, message = "message " + all, timestamp = 1.0 },
                    new { generation_id = "gen-echo-1", status = "processing", stage = "writing", progress = 0.5, message = "writing", partial_output = "output " + all, timestamp = 2.0 },
                    new { generation_id = "gen-echo-1", status = "failed", stage = "error", progress = 0.5, message = "failed: " + all, timestamp = 3.0 },
                };
                foreach (var e in events)
                {
                    await LoopbackUpstream.WriteAsync(context, $"id: {all}\ndata: {JsonSerializer.Serialize(e)}\n\n");
                }
            });
            app.MapGet("/codegen/generations/{id}", context =>
                LoopbackUpstream.JsonAsync(context, 200, JsonSerializer.Serialize(new { generation_id = "gen-echo-1", status = "failed", error_message = "status: " + All })));
            app.MapPost("/openai/v1/chat/completions", ChatAsync);
        }

        /// <summary>The answer the page and API must show: every delta joined, each secret masked.</summary>
        public string ExpectedAnswer(string mask)
        {
            var text = string.Concat(Deltas(Known));
            foreach (var secret in Known.OrderByDescending(s => s.Length))
            {
                text = text.Replace(secret, mask, StringComparison.Ordinal);
            }

            return text;
        }

        private static IEnumerable<string> Deltas(IEnumerable<string> secrets)
        {
            foreach (var secret in secrets)
            {
                for (var split = 1; split < secret.Length; split++)
                {
                    yield return $"<{split}:" + secret[..split];
                    yield return secret[split..] + "> ";
                }
            }
        }

        private async Task ChatAsync(HttpContext context)
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            var all = All;
            if (body.Contains("refuse", StringComparison.Ordinal))
            {
                await LoopbackUpstream.JsonAsync(context, 401, JsonSerializer.Serialize(new { error = new { message = "bad key: " + all + " " + context.Request.Headers.Authorization } }));
                return;
            }

            LoopbackUpstream.StartEventStream(context);
            var known = Known;
            var chunks = new List<object> { Chunk(new { role = "assistant" }, model: "model " + all) };
            chunks.AddRange(Deltas(known).Select(d => Chunk(new { content = d })));
            chunks.AddRange(Deltas(known).Select(d => Chunk(new { reasoning_content = d })));
            chunks.Add(Chunk(new { tool_calls = new[] { new { index = 0, id = "call-" + all, function = new { name = "tool " + all, arguments = "" } } } }));
            chunks.AddRange(Deltas(known).Select(d => Chunk(new { tool_calls = new[] { new { index = 0, function = new { arguments = d } } } })));
            chunks.Add(new { id = "chatcmpl-" + all, model = "m", choices = new[] { new { index = 0, delta = new { }, finish_reason = "stop " + all } } });
            var sse = new StringBuilder();
            foreach (var chunk in chunks)
            {
                sse.Append("data: ").Append(JsonSerializer.Serialize(chunk)).Append("\n\n");
            }

            sse.Append("data: [DONE]\n\n");
            await LoopbackUpstream.WriteAsync(context, sse.ToString());

            object Chunk(object delta, string model = "m") => new { id = "chatcmpl-" + all, model, choices = new[] { new { index = 0, delta } } };
        }
    }
}
