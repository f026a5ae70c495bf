using System.Text.Json;
using Dashboard.Components.Forms;
using Dashboard.Domain;
using Dashboard.Events;
using Dashboard.Runs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Dashboard.Tests.Components.Forms;

/// <summary>The start form's rules without a renderer: what it shows, when, and what it sends.</summary>
public sealed class StartRunFormTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly RunOptionField Temperature = new("temperature", "Temperature", RunOptionType.Number, Default: "0.2", Min: 0, Max: 2);

    private static readonly RunBackend Chat = new("chat", "openai-chat", false, [Temperature]);
    private static readonly RunBackend Codegen = new("gen", "codegen", false, [], BackendCapabilities.Runs | BackendCapabilities.Iterations);
    private static readonly RunBackend DemoCodegen = new("demo-gen", "codegen", true, [], BackendCapabilities.Runs | BackendCapabilities.Iterations);

    private readonly ServiceProvider _services;
    private readonly FakeTimeProvider _time = new(T0);

    public StartRunFormTests()
    {
        _services = new ServiceCollection().AddSingleton<TimeProvider>(_time).AddEventHub().BuildServiceProvider();
    }

    private IEventHub Hub => _services.GetRequiredService<IEventHub>();

    public void Dispose() => _services.Dispose();

    private static IReadOnlyList<FieldError> Rules(RunRequest r) =>
        r.Prompt.Length < 10 ? [new FieldError(RunFields.Prompt, $"The prompt must be at least 10 characters (it has {r.Prompt.Length}).")] : [];

    private TestRunLauncher Launcher(params RunBackend[] backends) => new(Hub, _time, backends, Rules);

    private void Ended(string id, string backend, string prompt, RunStatus status, IReadOnlyDictionary<string, JsonElement>? options = null)
    {
        Hub.Publish(new RunCreated { Backend = backend, At = T0, RunId = id, Prompt = prompt, Options = options ?? RunCreated.EmptyOptions });
        Hub.Publish(new RunEnded { Backend = backend, At = T0.AddSeconds(5), RunId = id, Status = status });
    }

    [Fact]
    public void Defaults_to_a_real_iterating_backend_and_its_option_defaults()
    {
        var form = new StartRunForm(Launcher(Chat, DemoCodegen, Codegen), Hub.State);

        Assert.Equal("gen", form.Backend);
        Assert.Equal("Start iteration", form.Title);

        form.SelectBackend("chat");
        Assert.Equal("Start run", form.Title);
        Assert.Equal(0.2, form.ValueOf("temperature")!.Number);
        Assert.Equal(0.2, form.BuildRequest().Options!["temperature"].GetDouble());
    }

    [Fact]
    public void A_fields_error_shows_only_once_it_was_touched_or_the_form_submitted()
    {
        var launcher = Launcher(Chat);
        var form = new StartRunForm(launcher, Hub.State);

        Assert.Null(form.ErrorFor(RunFields.Prompt));
        Assert.True(form.CanSubmit);

        form.SetPrompt("short");
        Assert.Equal("The prompt must be at least 10 characters (it has 5).", form.ErrorFor(RunFields.Prompt));

        Assert.Null(form.BeginSubmit());
        Assert.True(form.Submitted);
        Assert.False(form.CanSubmit);
        Assert.Empty(launcher.Started);
    }

    [Fact]
    public async Task A_valid_submission_starts_once_and_returns_the_new_run()
    {
        var launcher = Launcher(Chat);
        var form = new StartRunForm(launcher, Hub.State);
        form.SetPrompt("Explain the architecture");

        var request = form.BeginSubmit();

        Assert.NotNull(request);
        Assert.True(form.Sending);
        Assert.Null(form.BeginSubmit());
        Assert.Equal("run-1", await form.CompleteAsync(request));
        Assert.False(form.Sending);
        Assert.Single(launcher.Started);
    }

    [Fact]
    public async Task A_busy_backend_is_a_rejection_with_the_reason()
    {
        var launcher = Launcher(Chat);
        launcher.NextResult = new StartRunResult(StartRunOutcome.TooManyRuns, null, [new FieldError(RunFields.Backend, "4 runs in flight.")]);
        var form = new StartRunForm(launcher, Hub.State);
        form.SetPrompt("Explain the architecture");

        Assert.Null(await form.CompleteAsync(form.BeginSubmit()!));

        Assert.Equal("The backend is busy: too many runs in flight. Try again when one ends. 4 runs in flight.", form.Rejection);
    }

    [Fact]
    public void An_error_about_a_field_the_form_has_no_input_for_is_still_shown_after_submit()
    {
        var launcher = new TestRunLauncher(Hub, _time, [Chat], _ => [new FieldError("options.seed", "Unknown option.")]);
        var form = new StartRunForm(launcher, Hub.State);

        Assert.Empty(form.UnplacedErrors());
        form.BeginSubmit();

        Assert.Equal(["options.seed"], form.UnplacedErrors().Select(e => e.Field));
    }

    [Theory]
    [InlineData(RunStatus.Completed)]
    [InlineData(RunStatus.Failed)]
    [InlineData(RunStatus.Cancelled)]
    public void Run_again_fills_backend_prompt_and_options_of_any_ended_run(RunStatus status)
    {
        using var doc = JsonDocument.Parse("{\"temperature\": 1.5}");
        Ended("old", "chat", "Summarise the change log", status, new Dictionary<string, JsonElement> { ["temperature"] = doc.RootElement.GetProperty("temperature").Clone() });

        var form = new StartRunForm(Launcher(Codegen, Chat), Hub.State, againRunId: "old");

        Assert.Equal("chat", form.Backend);
        Assert.Equal("Summarise the change log", form.Prompt);
        Assert.Equal(1.5, form.BuildRequest().Options!["temperature"].GetDouble());
        Assert.Equal(StartRunForm.NoParent, form.Parent);
    }

    [Fact]
    public void Iterating_takes_the_parents_backend_and_options()
    {
        Ended("p1", "gen", "Build a todo API", RunStatus.Completed);

        var form = new StartRunForm(Launcher(Chat, Codegen), Hub.State, parentRunId: "p1");

        Assert.Equal("gen", form.Backend);
        Assert.Equal("p1", form.Parent);
        Assert.Equal("", form.Prompt);
        Assert.Equal("p1", form.BuildRequest().ParentRunId);
        Assert.Equal(["p1"], form.ParentCandidates().Select(r => r.Id));
    }
}
