using System.Text.Json;
using Dashboard.Components.Controls;
using Dashboard.Components.Display;
using Dashboard.Domain;
using Dashboard.Runs;
using Dashboard.State;

namespace Dashboard.Components.Forms;

/// <summary>
/// The state and rules of the start form, apart from its markup: which backend and options are
/// chosen, which errors are shown (a field's errors only once it was touched or the form was
/// submitted), and what a submission sends. The page binds to it; tests drive it directly.
/// </summary>
public sealed class StartRunForm
{
    public const string NoParent = "";

    private readonly IRunLauncher _launcher;
    private readonly IDashboardState _state;
    private readonly Dictionary<string, OptionValue> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _touched = new(StringComparer.Ordinal);

    /// <param name="parentRunId">A run to iterate on (the <c>parent</c> query), or null.</param>
    /// <param name="againRunId">An ended run to start again with the same backend, prompt and options (the <c>again</c> query), or null.</param>
    public StartRunForm(IRunLauncher launcher, IDashboardState state, string? parentRunId = null, string? againRunId = null)
    {
        _launcher = launcher;
        _state = state;
        Backends = launcher.RunBackends;
        if (againRunId is not null && state.GetRun(againRunId) is { } again)
        {
            SelectBackend(again.Backend);
            Prompt = again.Prompt;
            Parent = again.ParentRunId is { } p && state.GetRun(p) is not null ? p : NoParent;
            CopyOptions(again);
        }
        else if (parentRunId is not null && state.GetRun(parentRunId) is { } parent)
        {
            Parent = parent.Id;
            SelectBackend(parent.Backend);
            // An iteration starts from the parent's own options; the user changes what they need.
            CopyOptions(parent);
        }
        else
        {
            SelectBackend(DefaultBackend()?.Name);
        }
    }

    public IReadOnlyList<RunBackend> Backends { get; }

    public string? Backend { get; private set; }

    public string Prompt { get; private set; } = "";

    public string Parent { get; private set; } = NoParent;

    public IReadOnlyList<FieldError> Errors { get; private set; } = [];

    public bool Submitted { get; private set; }

    public bool Sending { get; private set; }

    /// <summary>Why the launcher refused a valid-looking request (busy, backend gone), or null.</summary>
    public string? Rejection { get; private set; }

    public RunBackend? Selected => Backends.FirstOrDefault(b => string.Equals(b.Name, Backend, StringComparison.Ordinal));

    /// <summary>The page's heading and title: depends on the chosen backend.</summary>
    public string Title => RunWording.StartTitle(Selected);

    public bool CanSubmit => !Sending && !(Submitted && Errors.Count > 0);

    public OptionValue? ValueOf(string option) => _values.GetValueOrDefault(option);

    /// <summary>
    /// The page starts iterations first: a backend that iterates (a real one before a demo one),
    /// else the first backend.
    /// </summary>
    private RunBackend? DefaultBackend()
    {
        var iterating = Backends.Where(RunWording.Iterates).ToList();
        return iterating.Find(b => !b.IsDemo) ?? (iterating.Count > 0 ? iterating[0] : null) ?? (Backends.Count > 0 ? Backends[0] : null);
    }

    private void CopyOptions(RunView run)
    {
        foreach (var (name, value) in run.Options)
        {
            _values[name] = OptionValue.FromJson(value);
        }

        Validate();
    }

    public void SelectBackend(string? name)
    {
        Backend = name;
        _values.Clear();
        foreach (var field in Selected?.Options ?? [])
        {
            _values[field.Name] = OptionValue.FromDefault(field);
        }

        if (Parent != NoParent && !ParentCandidates().Any(r => r.Id == Parent) && _state.GetRun(Parent)?.Backend != name)
        {
            Parent = NoParent;
        }

        Touch(RunFields.Backend);
    }

    public void SetPrompt(string? value)
    {
        Prompt = value ?? "";
        Touch(RunFields.Prompt);
    }

    public void SetParent(string? value)
    {
        Parent = value ?? NoParent;
        Touch(RunFields.ParentRunId);
    }

    public void SetOption(string name, OptionValue value)
    {
        _values[name] = value;
        Touch(name);
    }

    private void Touch(string field)
    {
        _touched.Add(field);
        Rejection = null;
        Validate();
    }

    private void Validate() => Errors = Backend is null ? [] : _launcher.Validate(BuildRequest());

    /// <summary>Completed runs of the chosen backend (and the chosen parent, whatever its state).</summary>
    public IEnumerable<RunView> ParentCandidates() => _state.Runs.Where(r =>
        string.Equals(r.Backend, Backend, StringComparison.Ordinal) &&
        (r.Status == RunStatus.Completed || r.Id == Parent));

    public RunRequest BuildRequest()
    {
        var options = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var field in Selected?.Options ?? [])
        {
            if (_values.GetValueOrDefault(field.Name)?.ToJson(field.Type) is { } json)
            {
                options[field.Name] = json;
            }
        }

        return new RunRequest(Backend ?? "", Prompt, Parent == NoParent ? null : Parent, options);
    }

    private bool Visible(string field) => Submitted || _touched.Contains(field);

    /// <summary>The field's errors joined, once the user touched it or submitted; else null.</summary>
    public string? ErrorFor(string field)
    {
        if (!Visible(field) && !Visible(field.Replace("options.", "", StringComparison.Ordinal)))
        {
            return null;
        }

        var messages = Errors.Where(e => string.Equals(e.Field, field, StringComparison.Ordinal)).Select(e => e.Message).ToList();
        return messages.Count == 0 ? null : string.Join(" ", messages);
    }

    /// <summary>An option's error, whichever way the launcher named its field.</summary>
    public string? OptionError(string option) => ErrorFor(option) ?? ErrorFor($"{RunFields.Options}.{option}");

    /// <summary>Errors about a field the form has no input for: still shown, never swallowed.</summary>
    public IEnumerable<FieldError> UnplacedErrors()
    {
        if (!Submitted)
        {
            return [];
        }

        var placed = new HashSet<string>(StringComparer.Ordinal) { RunFields.Backend, RunFields.Prompt, RunFields.ParentRunId };
        foreach (var field in Selected?.Options ?? [])
        {
            placed.Add(field.Name);
            placed.Add($"{RunFields.Options}.{field.Name}");
        }

        return Errors.Where(e => !placed.Contains(e.Field));
    }

    /// <summary>
    /// Marks the form submitted and validates it. Returns the request to start when it is valid
    /// and no submission is under way (the form is then "sending" until <see cref="CompleteAsync"/>);
    /// otherwise null, with every error now visible.
    /// </summary>
    public RunRequest? BeginSubmit()
    {
        if (Sending)
        {
            return null;
        }

        Submitted = true;
        Rejection = null;
        var request = BuildRequest();
        Errors = _launcher.Validate(request);
        if (Errors.Count > 0)
        {
            return null;
        }

        Sending = true;
        return request;
    }

    /// <summary>Starts the request from <see cref="BeginSubmit"/> through the launcher's waiting path (a federated backend's run starts on its own dashboard; several replicas wait briefly for the run's lease); returns the new run's id, or null with the reason shown.</summary>
    public async Task<string?> CompleteAsync(RunRequest request, CancellationToken cancellationToken = default)
    {
        try
        {
            return Outcome(await _launcher.StartAsync(request, cancellationToken));
        }
        finally
        {
            Sending = false;
        }
    }

    private string? Outcome(StartRunResult result)
    {
        if (result.Outcome == StartRunOutcome.Started && result.RunId is { } runId)
        {
            return runId;
        }

        Errors = result.Errors;
        Rejection = result.Outcome switch
        {
            StartRunOutcome.TooManyRuns => "The backend is busy: too many runs in flight. Try again when one ends.",
            StartRunOutcome.UnknownBackend => "That backend no longer exists.",
            _ => "The run was not started: fix the fields marked below.",
        };
        if (result.Errors.Count > 0 && result.Outcome != StartRunOutcome.Invalid)
        {
            Rejection += " " + string.Join(" ", result.Errors.Select(e => e.Message));
        }

        return null;
    }
}
