using System.Net;
using Dashboard.Backends;
using Dashboard.Configuration;
using Dashboard.Demo;
using Dashboard.Security;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Demo;

public sealed class DemoHostingTests
{
    [Theory]
    [InlineData(null, 0, true)]
    [InlineData(null, 1, false)]
    [InlineData(true, 1, true)]
    [InlineData(false, 0, false)]
    public void Enabled_by_default_only_without_configured_backends(bool? enabled, int backends, bool expected)
    {
        var options = new DashboardOptions { Demo = { Enabled = enabled } };
        options.Backends.AddRange(Enumerable.Range(0, backends).Select(i => new BackendOptions { Name = $"b{i}", Kind = "codedreamer" }));

        Assert.Equal(expected, DemoMode.IsEnabled(options));
    }

    [Theory]
    [InlineData("/demo/codedreamer/graph/stats")]
    [InlineData("/demo/codegen/generations/generate/x/stream?token=y")]
    [InlineData("/demo/openai/v1/chat/completions")]
    public async Task Only_loopback_clients_are_answered(string path)
    {
        await using var host = await DemoHost.StartAsync();
        var method = path.EndsWith("completions", StringComparison.Ordinal) ? HttpMethod.Post : HttpMethod.Get;
        using var remote = new HttpRequestMessage(method, path) { Headers = { { DemoHost.RemoteIpHeader, "203.0.113.9" } } };
        using var local = new HttpRequestMessage(method, path);

        using var denied = await host.Client.SendAsync(remote);
        using var answered = await host.Client.SendAsync(local);

        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.NotEqual(HttpStatusCode.Forbidden, answered.StatusCode);
    }

    [Fact]
    public async Task Ipv4_mapped_loopback_counts_as_loopback()
    {
        Assert.True(LoopbackOnlyFilter.IsLoopback(IPAddress.Parse("::ffff:127.0.0.1")));
        Assert.True(LoopbackOnlyFilter.IsLoopback(IPAddress.IPv6Loopback));
        Assert.False(LoopbackOnlyFilter.IsLoopback(IPAddress.Parse("::ffff:10.0.0.1")));
        Assert.False(LoopbackOnlyFilter.IsLoopback(null));
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Disabled_demo_maps_nothing_and_supplies_no_backends()
    {
        await using var host = await DemoHost.StartAsync(enabled: false);

        using var response = await host.Client.GetAsync("demo/codedreamer/graph/stats");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(host.Services.GetServices<IBackendSource>());
    }

    [Fact]
    public void The_backend_source_points_at_this_app_with_redacted_random_credentials()
    {
        var services = new ServiceCollection();
        services.AddOptions();
        services.AddDemo(new ConfigurationBuilder().Build());
        using var provider = services.BuildServiceProvider();

        var backends = provider.GetRequiredService<IBackendSource>().GetBackends(new Uri("http://127.0.0.1:5102"));

        Assert.Equal(["demo-dreamer", "demo-codegen", "demo-openai"], backends.Select(b => b.Name));
        Assert.Equal(["codedreamer", "codegen", "openai-chat"], backends.Select(b => b.Kind));
        Assert.Equal(
            ["http://127.0.0.1:5102/demo/codedreamer", "http://127.0.0.1:5102/demo/codegen", "http://127.0.0.1:5102/demo/openai/v1"],
            backends.Select(b => b.BaseUrl));
        Assert.All(backends, b => Assert.True(b.IsDemo));
        var codegen = backends[1];
        var openai = backends[2];
        Assert.Equal("demo", codegen.Username);
        Assert.Equal("demo-gpt", openai.Model);
        var redactor = provider.GetRequiredService<SecretRedactor>();
        Assert.Equal(SecretRedactor.Mask, redactor.Redact(codegen.Password));
        Assert.Equal(SecretRedactor.Mask, redactor.Redact(openai.ApiKey));
        Assert.DoesNotContain(codegen.Password!, redactor.Redact($"login with {codegen.Password} and {openai.ApiKey}"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Outcome", "explode")]
    [InlineData("TimeScale", "-1")]
    public void Invalid_demo_settings_fail_fast_naming_the_key(string key, string value)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [$"Dashboard:Demo:{key}"] = value })
            .Build();

        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddDemo(configuration));

        Assert.Contains($"Dashboard:Demo:{key}", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.0, "0.0")]
    [InlineData(1.0, "1.0")]
    [InlineData(0.05, "0.05")]
    [InlineData(1737030904.5, "1737030904.5")]
    [InlineData(1e-7, "1e-07")]
    public void Floats_are_written_like_python_repr(double value, string expected)
    {
        Assert.Equal(expected, DemoJson.PythonFloat(value));
    }

    [Fact]
    public void Python_dumps_escapes_non_ascii_and_compact_keeps_it()
    {
        Assert.Equal("""{"a": "caf\u00e9 \"q\"\n", "b": [1, null]}""",
            DemoJson.PythonDumps().StartObject().Property("a", "café \"q\"\n").Name("b").StartArray().Number(1).Null().EndArray().EndObject().ToString());
        Assert.Equal("""{"a":"café","b":true}""", DemoJson.Compact().StartObject().Property("a", "café").Property("b", true).EndObject().ToString());
    }
}
