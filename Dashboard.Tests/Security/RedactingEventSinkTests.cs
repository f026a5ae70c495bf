using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.Security;
using Dashboard.Tests.TestSupport;
using Microsoft.Extensions.Options;

namespace Dashboard.Tests.Security;

public sealed class RedactingEventSinkTests
{
    private const string Secret = "sk-split-SECRET-123";
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly RecordingSink _inner = new();
    private readonly RedactingEventSink _sink;

    public RedactingEventSinkTests()
    {
        _sink = new RedactingEventSink(_inner, new SecretRedactor(Options.Create(new DashboardOptions { Backends = [new BackendOptions { Name = "b", ApiKey = Secret }] })));
    }

    private void Text(string text, TextMode mode = TextMode.Append) =>
        _sink.Publish(new RunTextReceived { Backend = "b", At = T0, RunId = "r1", Text = text, Mode = mode });

    private string Shown => string.Concat(_inner.OfType<RunTextReceived>().Select(t => t.Text));

    [Fact]
    public void Ordinary_text_passes_at_once_and_unchanged()
    {
        Text("Hello world, ");
        Text("no secrets here.");

        Assert.Equal(["Hello world, ", "no secrets here."], _inner.OfType<RunTextReceived>().Select(t => t.Text));
    }

    [Fact]
    public void A_secret_split_at_any_position_is_masked_and_the_rest_is_kept()
    {
        for (var split = 1; split < Secret.Length; split++)
        {
            Text($"<{split}:" + Secret[..split]);
            Text(Secret[split..] + "> ");
        }

        _sink.Publish(new RunEnded { Backend = "b", At = T0, RunId = "r1", Status = RunStatus.Completed });

        Assert.DoesNotContain(_inner.Events, e => e is RunTextReceived t && t.Text.Contains(Secret[..4], StringComparison.Ordinal) && t.Text.Contains(Secret[^4..], StringComparison.Ordinal));
        Assert.Equal(string.Concat(Enumerable.Range(1, Secret.Length - 1).Select(k => $"<{k}:{SecretRedactor.Mask}> ")), Shown);
    }

    [Fact]
    public void A_held_prefix_is_released_before_the_runs_end()
    {
        Text("ends with sk-sp");

        Assert.Equal("ends with ", Shown);
        _sink.Publish(new RunEnded { Backend = "b", At = T0, RunId = "r1", Status = RunStatus.Completed });

        Assert.Equal("ends with sk-sp", Shown);
        Assert.IsType<RunEnded>(_inner.Events[^1]);
    }

    [Fact]
    public void Upstream_fields_are_masked_and_the_users_prompt_is_not()
    {
        _sink.Publish(new RunCreated { Backend = "b", At = T0, RunId = "r1", Prompt = "my own " + Secret });
        _sink.Publish(new RunStageReported { Backend = "b", At = T0, RunId = "r1", Stage = "s " + Secret, Status = StageStatus.Running, Message = "m " + Secret });
        _sink.Publish(new RunMetadataReported { Backend = "b", At = T0, RunId = "r1", Metadata = new Dictionary<string, string> { [Secret] = Secret } });
        _sink.Publish(new RunEnded { Backend = "b", At = T0, RunId = "r1", Status = RunStatus.Failed, Error = "e " + Secret });

        Assert.Contains(Secret, _inner.OfType<RunCreated>()[0].Prompt, StringComparison.Ordinal);
        var stage = _inner.OfType<RunStageReported>()[0];
        Assert.Equal(("s ***", "m ***"), (stage.Stage, stage.Message));
        Assert.Equal(new Dictionary<string, string> { ["***"] = "***" }, _inner.OfType<RunMetadataReported>()[0].Metadata);
        Assert.Equal("e ***", _inner.OfType<RunEnded>()[0].Error);
    }
}
