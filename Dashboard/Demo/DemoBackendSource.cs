using Dashboard.Backends;
using Dashboard.Backends.CodeDreamer;
using Dashboard.Backends.Codegen;
using Dashboard.Backends.OpenAiChat;
using Dashboard.Configuration;

namespace Dashboard.Demo;

/// <summary>The demo's three upstreams, pointing at this app's own loopback address.</summary>
public sealed class DemoBackendSource(DemoCredentials credentials) : IBackendSource
{
    public const string DreamerName = "demo-dreamer";
    public const string CodegenName = "demo-codegen";
    public const string OpenAiName = "demo-openai";
    public const string OpenAiModel = "demo-gpt";

    public IReadOnlyList<BackendOptions> GetBackends(Uri selfBaseUrl)
    {
        var root = selfBaseUrl.AbsoluteUri.EndsWith('/') ? selfBaseUrl.AbsoluteUri : selfBaseUrl.AbsoluteUri + "/";
        return
        [
            new BackendOptions
            {
                Name = DreamerName,
                Kind = CodeDreamerKind.Name,
                BaseUrl = root + "demo/codedreamer",
                IsDemo = true,
            },
            new BackendOptions
            {
                Name = CodegenName,
                Kind = CodegenKind.Name,
                BaseUrl = root + "demo/codegen",
                Username = DemoCredentials.Username,
                Password = credentials.Password,
                IsDemo = true,
            },
            new BackendOptions
            {
                Name = OpenAiName,
                Kind = OpenAiChatKind.Name,
                BaseUrl = root + "demo/openai/v1",
                ApiKey = credentials.ApiKey,
                Model = OpenAiModel,
                IsDemo = true,
            },
        ];
    }
}
