using Dashboard.Domain;
using System.Text.Json;
using Dashboard.Backends;
using Dashboard.Backends.Anthropic;
using Dashboard.Backends.Forge;
using Dashboard.Backends.OpenAiChat;
using Dashboard.Backends.OpenAiResponses;
using Dashboard.Configuration;
using Dashboard.Ingest;
using Dashboard.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Dashboard.Tests.Backends.Llm;

public sealed class LlmKindTests
{
    [Fact]
    public void The_four_kinds_are_found_by_assembly_scanning_under_their_contract_names()
    {
        using var services = new ServiceCollection().AddBackendKinds().BuildServiceProvider();
        var registry = services.GetRequiredService<BackendKindRegistry>();

        Assert.IsType<OpenAiChatKind>(registry.Find("openai-chat"));
        Assert.IsType<OpenAiResponsesKind>(registry.Find("openai-responses"));
        Assert.IsType<AnthropicKind>(registry.Find("anthropic"));
        Assert.IsType<ForgeKind>(registry.Find("forge"));
    }

    [Theory]
    [InlineData("openai-chat")]
    [InlineData("openai-responses")]
    [InlineData("anthropic")]
    public void Key_and_model_are_required_naming_the_key_to_fix(string kind)
    {
        var problems = Kind(kind).ValidateOptions(new BackendOptions { Name = "x", Kind = kind }, "Dashboard:Backends:2").ToList();

        Assert.Equal(
            [
                $"Dashboard:Backends:2:ApiKey is required for kind {kind}.",
                $"Dashboard:Backends:2:Model is required for kind {kind} (the upstream refuses a request without one).",
            ],
            problems);
    }

    [Theory]
    [InlineData("openai-chat")]
    [InlineData("anthropic")]
    [InlineData("forge")]
    public void A_complete_configuration_is_valid(string kind)
    {
        var options = new BackendOptions { Name = "x", Kind = kind, BaseUrl = "http://127.0.0.1:9999/prefix", ApiKey = "sk-test", Model = "m" };

        Assert.Empty(Kind(kind).ValidateOptions(options, "Dashboard:Backends:0"));
    }

    [Fact]
    public void Forge_needs_a_base_url_but_neither_key_nor_model()
    {
        var problems = Kind("forge").ValidateOptions(new BackendOptions { Name = "kf", Kind = "forge" }, "Dashboard:Backends:1").ToList();

        Assert.Equal(["Dashboard:Backends:1:BaseUrl is required for kind forge."], problems);
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://host/v1")]
    [InlineData("/v1")]
    public void A_base_url_must_be_absolute_http(string baseUrl)
    {
        var options = new BackendOptions { Kind = "openai-chat", BaseUrl = baseUrl, ApiKey = "sk-test", Model = "m" };

        Assert.Equal(
            ["Dashboard:Backends:0:BaseUrl must be an absolute http(s) URL for kind openai-chat."],
            Kind("openai-chat").ValidateOptions(options, "Dashboard:Backends:0"));
    }

    [Fact]
    public void Anthropic_max_tokens_must_be_positive()
    {
        var options = new BackendOptions { Kind = "anthropic", ApiKey = "k-test", Model = "claude", MaxTokens = 0 };

        Assert.Equal(
            ["Dashboard:Backends:0:MaxTokens must be at least 1 for kind anthropic (the upstream requires max_tokens)."],
            Kind("anthropic").ValidateOptions(options, "Dashboard:Backends:0"));
    }

    [Theory]
    [InlineData("openai-chat", "temperature", "2.5", "Must be between 0 and 2.")]
    [InlineData("anthropic", "temperature", "1.5", "Must be between 0 and 1.")]
    [InlineData("openai-chat", "max_tokens", "0", "Must be between 1 and 1000000.")]
    [InlineData("openai-responses", "max_output_tokens", "12.5", "Must be a whole number.")]
    [InlineData("forge", "temperature", "\"warm\"", "Must be a number.")]
    [InlineData("openai-chat", "top_k", "3", "This backend has no such option.")]
    public void Run_options_are_checked_as_the_upstream_would(string kind, string option, string json, string message)
    {
        var client = Client(kind);
        var request = new RunRequest("b", "Plan it", Options: new Dictionary<string, JsonElement> { [option] = JsonDocument.Parse(json).RootElement });

        Assert.Equal([new FieldError(option, message)], client.ValidateRun(request));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n")]
    public void An_empty_prompt_is_refused(string prompt)
    {
        Assert.Equal([new FieldError("prompt", "A prompt is required.")], Client("anthropic").ValidateRun(new RunRequest("b", prompt)));
    }

    [Fact]
    public void Valid_options_given_as_numbers_or_form_strings_pass()
    {
        var options = new Dictionary<string, JsonElement>
        {
            ["temperature"] = JsonDocument.Parse("0.7").RootElement,
            ["max_tokens"] = JsonDocument.Parse("\"256\"").RootElement,
        };

        Assert.Empty(Client("openai-chat").ValidateRun(new RunRequest("b", "Plan it", Options: options)));
        Assert.Empty(Client("openai-chat").ValidateRun(new RunRequest("b", "Plan it", Options: new Dictionary<string, JsonElement> { ["temperature"] = JsonDocument.Parse("\"\"").RootElement })));
    }

    private static IBackendKind Kind(string name)
    {
        using var services = new ServiceCollection().AddBackendKinds().BuildServiceProvider();
        return services.GetRequiredService<BackendKindRegistry>().Find(name)!;
    }

    private static IRunClient Client(string kind)
    {
        var options = new BackendOptions { Name = "b", Kind = kind, BaseUrl = "http://127.0.0.1:1/v1", ApiKey = "sk-test", Model = "m" };
        using var services = new ServiceCollection()
            .AddSingleton<ISseStreamRunner, UnusedRunner>()
            .AddSingleton(new SecretRedactor(Options.Create(new DashboardOptions { Backends = [options] })))
            .BuildServiceProvider();
        return (IRunClient)Kind(kind).CreateClient(options, services);
    }

    /// <summary>Validation never streams; a call here would be a bug.</summary>
    private sealed class UnusedRunner : ISseStreamRunner
    {
        public Task<StreamOutcome> RunAsync(SseStreamSpec spec, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("validation must not stream");
    }
}
