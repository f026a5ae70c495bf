using Dashboard.Domain;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dashboard.Backends.Common;
using Dashboard.Configuration;
using Dashboard.Ingest;

namespace Dashboard.Backends.TestGen;

/// <summary>
/// Test generation (PROTOCOLS.md §4): SSE answer to <c>POST /generate_tests {code_snippet,
/// test_type, stream: true}</c>. Not resumable: a new POST would generate again.
/// </summary>
public sealed class TestGenClient(BackendOptions options, ISseStreamRunner runner) : IBackendClient
{
    public static readonly TimeSpan DefaultStallTimeout = TimeSpan.FromSeconds(120);

    public static readonly IReadOnlyList<string> TestTypes = ["unit", "integration", "e2e", "performance", "security"];

    public BackendOptions Options { get; } = options;

    public IReadOnlyList<RunOptionField> RunOptions { get; } =
        [new("test_type", "Test type", RunOptionType.Choice, TestTypes, Default: "unit")];

    public IReadOnlyList<FieldError> ValidateRun(RunRequest request)
    {
        var errors = new List<FieldError>();
        if (string.IsNullOrWhiteSpace(request.Prompt))
        {
            errors.Add(new FieldError("prompt", "The code to test is required."));
        }

        if (request.Options?.GetValueOrDefault("test_type") is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } type
            && (type.ValueKind != JsonValueKind.String || !TestTypes.Contains(type.GetString()!)))
        {
            errors.Add(new FieldError("test_type", $"Must be one of: {string.Join(", ", TestTypes)}."));
        }

        return errors;
    }

    public async Task RunAsync(RunContext run, CancellationToken cancellationToken)
    {
        var testType = run.Request.Options?.GetValueOrDefault("test_type") is { ValueKind: JsonValueKind.String } t ? t.GetString() : null;
        var body = new JsonObject
        {
            ["code_snippet"] = run.Request.Prompt,
            ["test_type"] = string.IsNullOrEmpty(testType) ? "unit" : testType,
            ["stream"] = true,
        };
        var decoder = new TestGenDecoder();
        var spec = RunStreams.Spec(Options, run, decoder,
            (_, _) => Task.FromResult(Options.NewRequest(HttpMethod.Post, "generate_tests", JsonContent.Create(body))),
            resumeAfterDrop: false, DefaultStallTimeout);
        run.EndFromStream(await runner.FollowAsync(spec, cancellationToken), decoder, cancellationToken);
    }

    public Task CancelAsync(RunContext run, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task RunAlwaysOnAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
