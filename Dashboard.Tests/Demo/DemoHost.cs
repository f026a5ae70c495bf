using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using Dashboard.Demo;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Dashboard.Tests.Demo;

/// <summary>
/// Just the demo endpoints in a slim app on a real Kestrel socket (127.0.0.1:0). A request with
/// header <see cref="RemoteIpHeader"/> is made to look as if it came from that address.
/// </summary>
internal sealed class DemoHost : IAsyncDisposable
{
    public const string RemoteIpHeader = "X-Test-Remote-Ip";
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly WebApplication _app;

    private DemoHost(WebApplication app, Uri root)
    {
        _app = app;
        Root = root;
        Client = new HttpClient { BaseAddress = root, Timeout = Timeout };
    }

    public Uri Root { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<DemoHost> StartAsync(
        int seed = 7, double timeScale = 0.01, string? outcome = null, TimeProvider? time = null, bool? enabled = true)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
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

        builder.Configuration.AddInMemoryCollection(settings);
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        builder.Services.AddDemo(builder.Configuration);
        var app = builder.Build();
        app.Use((context, next) =>
        {
            if (context.Request.Headers.TryGetValue(RemoteIpHeader, out var ip))
            {
                context.Connection.RemoteIpAddress = IPAddress.Parse(ip.ToString());
            }

            return next(context);
        });
        app.MapDemo();
        await app.StartAsync();
        var address = app.Urls.Single();
        return new DemoHost(app, new Uri(address.TrimEnd('/') + "/"));
    }

    public T Service<T>()
        where T : notnull => _app.Services.GetRequiredService<T>();

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
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
