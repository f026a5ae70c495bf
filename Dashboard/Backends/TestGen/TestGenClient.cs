using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dashboard.Backends.Common;
using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.Ingest;

namespace Dashboard.Backends.TestGen;

/// <summary>
/// Test generation: an SSE answer to <c>POST /generate_tests {code_snippet, test_type, stream: true}</c>
/// (see docs/protocols.md). Not resumable: a new POST would generate again.
/// </summary>
public sealed class TestGenClient(BackendOptions options, ISseStreamRunner runner)
    : StreamedRunClient<TestGenDecoder>(options, runner)
{
    public static readonly TimeSpan DefaultStallTimeout = TimeSpan.FromSeconds(120);

    public static readonly IReadOnlyList<string> TestTypes = ["unit", "integration", "e2e", "performance", "security"];

    private static readonly IReadOnlyList<RunOptionField> Fields =
        [new("test_type", "Test type", RunOptionType.Choice, TestTypes, Default: "unit")];

    public override IReadOnlyList<RunOptionField> RunOptions => Fields;

    protected override TimeSpan DefaultStall => DefaultStallTimeout;

    public override IReadOnlyList<FieldError> ValidateRun(RunRequest request)
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

    protected override TestGenDecoder CreateDecoder() => new();

    protected override SseStreamSpec DescribeStream(RunContext run, TestGenDecoder decoder, DecodeContext context)
    {
        var testType = run.Request.Options?.GetValueOrDefault("test_type") is { ValueKind: JsonValueKind.String } t ? t.GetString() : null;
        var body = new JsonObject
        {
            ["code_snippet"] = run.Request.Prompt,
            ["test_type"] = string.IsNullOrEmpty(testType) ? "unit" : testType,
            ["stream"] = true,
        };
        return Stream(decoder, context, resumeAfterDrop: false,
            (_, _) => Task.FromResult(Options.NewRequest(HttpMethod.Post, "generate_tests", JsonContent.Create(body))));
    }
}
