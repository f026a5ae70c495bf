using Dashboard.Domain;
using System.Text.Json;
using Dashboard.Backends;
using Dashboard.Backends.CodeDreamer;
using Dashboard.Backends.Jobs;
using Dashboard.Backends.PlainChat;
using Dashboard.Backends.Sse;
using Dashboard.Backends.TestGen;
using Dashboard.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Backends;

public sealed class SeedKindsTests
{
    [Fact]
    public void Every_seed_kind_is_found_by_assembly_scanning_under_its_contract_name()
    {
        using var services = new ServiceCollection().AddBackendKinds().BuildServiceProvider();
        var registry = services.GetRequiredService<BackendKindRegistry>();

        Assert.IsType<CodeDreamerKind>(registry.Find("codedreamer"));
        Assert.IsType<Dashboard.Backends.Codegen.CodegenKind>(registry.Find("codegen"));
        Assert.IsType<SseKind>(registry.Find("sse"));
        Assert.IsType<JobsKind>(registry.Find("jobs"));
        Assert.IsType<PlainChatKind>(registry.Find("plain-chat"));
        Assert.IsType<TestGenKind>(registry.Find("testgen"));
    }

    [Theory]
    [InlineData("codedreamer")]
    [InlineData("jobs")]
    [InlineData("plain-chat")]
    [InlineData("testgen")]
    public void BaseUrl_kinds_require_an_absolute_http_url(string kindName)
    {
        using var services = new ServiceCollection().AddBackendKinds().BuildServiceProvider();
        var kind = services.GetRequiredService<BackendKindRegistry>().Find(kindName)!;

        Assert.Equal([$"Dashboard:Backends:2:BaseUrl is required for kind {kindName}"], kind.ValidateOptions(new BackendOptions(), "Dashboard:Backends:2"));
        Assert.Equal([$"Dashboard:Backends:2:BaseUrl must be an absolute http:// or https:// URL for kind {kindName}"],
            kind.ValidateOptions(new BackendOptions { BaseUrl = "/relative" }, "Dashboard:Backends:2"));
        Assert.Equal([$"Dashboard:Backends:2:BaseUrl must be an absolute http:// or https:// URL for kind {kindName}"],
            kind.ValidateOptions(new BackendOptions { BaseUrl = "ftp://host/" }, "Dashboard:Backends:2"));
        Assert.Empty(kind.ValidateOptions(new BackendOptions { BaseUrl = "https://host:8080/prefix" }, "Dashboard:Backends:2"));
    }

    [Fact]
    public void Sse_kind_needs_a_url_and_GET_or_POST()
    {
        var kind = new SseKind();

        Assert.Equal(["Dashboard:Backends:0:Url is required for kind sse"], kind.ValidateOptions(new BackendOptions { BaseUrl = "http://h/" }, "Dashboard:Backends:0"));
        Assert.Equal(["Dashboard:Backends:0:Method must be GET or POST for kind sse"],
            kind.ValidateOptions(new BackendOptions { Url = "http://h/stream", Method = "PUT" }, "Dashboard:Backends:0"));
        Assert.Equal(["Dashboard:Backends:0:Body is only sent with Dashboard:Backends:0:Method POST for kind sse"],
            kind.ValidateOptions(new BackendOptions { Url = "http://h/stream", Body = "{}" }, "Dashboard:Backends:0"));
        Assert.Empty(kind.ValidateOptions(new BackendOptions { Url = "http://h/stream", Method = "post", Body = "{}" }, "Dashboard:Backends:0"));
    }

    [Theory]
    [InlineData("""{"temperature": 0.5}""", false)]
    [InlineData("""{"temperature": 2}""", false)]
    [InlineData("""{"temperature": 2.1}""", true)]
    [InlineData("""{"temperature": -1}""", true)]
    [InlineData("""{"temperature": "hot"}""", true)]
    public void Dream_temperature_is_0_to_2(string options, bool invalid)
    {
        var client = new CodeDreamerClient(new BackendOptions { Name = "cd" }, null!, null!, null!, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

        var errors = client.ValidateRun(new RunRequest("cd", "seed", Options: JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(options)));

        Assert.Equal(invalid, errors.Any(e => e.Field == "temperature"));
    }

    [Theory]
    [InlineData("""{"test_type": "integration"}""", "def f(): pass", null)]
    [InlineData("""{"test_type": "fuzz"}""", "def f(): pass", "test_type")]
    [InlineData("{}", "  ", "prompt")]
    public void Testgen_checks_the_code_and_test_type(string options, string prompt, string? field)
    {
        var client = new TestGenClient(new BackendOptions { Name = "tg" }, null!);

        var errors = client.ValidateRun(new RunRequest("tg", prompt, Options: JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(options)));

        Assert.Equal(field, errors.SingleOrDefault()?.Field);
    }
}
