using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using Dashboard.Demo;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Demo;

/// <summary>
/// Just the demo endpoints, served by the tests' loopback server (a real Kestrel socket on
/// 127.0.0.1:0). A request with header <see cref="RemoteIpHeader"/> is made to look as if it came
/// from that address.
/// </summary>
internal sealed class DemoHost : IAsyncDisposable
{
    public const string RemoteIpHeader = "X-Test-Remote-Ip";
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly LoopbackUpstream _server;

    private DemoHost(LoopbackUpstream server)
    {
        _server = server;
        Client = new HttpClient { BaseAddress = server.Root, Timeout = Timeout };
    }

    public Uri Root => _server.Root;

    public HttpClient Client { get; }

    public IServiceProvider Services => _server.Services;

    public static async Task<DemoHost> StartAsync(
        int seed = 7, double timeScale = 0.01, string? outcome = null, TimeProvider? time = null, bool? enabled = true)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Dashboard:Demo:Seed"] = seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Dashboard:Demo:TimeScale"] = timeScale.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Dashboard:Demo:Outcome"] = outcome,
        };
        if (enabled is { } on)
        {
            settings["Dashboard:Demo:Enabled"] = on ? "true" : "false";
        }

        var server = await LoopbackUpstream.StartAsync(
            builder =>
            {
                builder.Configuration.AddInMemoryCollection(settings);
                if (time is not null)
                {
                    builder.Services.AddSingleton(time);
                }

                builder.Services.AddDemo(builder.Configuration);
            },
            app =>
            {
                app.Use((context, next) =>
                {
                    if (context.Request.Headers.TryGetValue(RemoteIpHeader, out var ip))
                    {
                        context.Connection.RemoteIpAddress = IPAddress.Parse(ip.ToString());
                    }

                    return next(context);
                });
                app.MapDemo();
            });
        return new DemoHost(server);
    }

    public T Service<T>()
        where T : notnull => _server.Services.GetRequiredService<T>();

    /// <summary>Opens an SSE GET (or a POST with a JSON body) and yields each event's data, failing on any other field.</summary>
    public async IAsyncEnumerable<string> ReadEventsAsync(
        HttpRequestMessage request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        using var response = await Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        string? data = null;
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.Length == 0)
            {
                Assert.NotNull(data);
                yield return data!;
                data = null;
                continue;
            }

            Assert.StartsWith("data: ", line, StringComparison.Ordinal);
            Assert.Null(data);
            data = line["data: ".Length..];
        }

        Assert.Null(data);
    }

    public static HttpRequestMessage Get(string path) => new(HttpMethod.Get, path);

    public static HttpRequestMessage PostJson(string path, string json, string? bearer = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return request;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _server.DisposeAsync();
    }
}
