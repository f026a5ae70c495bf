using Dashboard.Domain;
using Dashboard.Backends;
using Dashboard.Configuration;

namespace Dashboard.Tests.Runs;

/// <summary>
/// A test-only backend kind (a stand-in for an upstream dialect, not for the hub): its clients do
/// what the test scripts. Defaults: a run reports one stage and completes.
/// </summary>
internal sealed class TestBackendKind(string kind, BackendCapabilities capabilities = BackendCapabilities.Runs) : IBackendKind
{
    public string Kind { get; } = kind;

    public BackendCapabilities Capabilities { get; } = capabilities;

    public Func<BackendOptions, string, IEnumerable<string>> OptionsValidation { get; init; } = (_, _) => [];

    public Func<RunRequest, IReadOnlyList<FieldError>> RunValidation { get; init; } = _ => [];

    public Func<RunContext, CancellationToken, Task> Run { get; init; } = (run, _) =>
    {
        run.Stage("working", Domain.StageStatus.Completed, progress: 1);
        run.End(Domain.RunStatus.Completed);
        return Task.CompletedTask;
    };

    public Func<RunContext, CancellationToken, Task> Cancel { get; init; } = (_, _) => Task.CompletedTask;

    public Func<CancellationToken, Task> AlwaysOn { get; init; } = _ => Task.CompletedTask;

    public IEnumerable<string> ValidateOptions(BackendOptions options, string keyPrefix) => OptionsValidation(options, keyPrefix);

    public IBackendClient CreateClient(BackendOptions options, IServiceProvider services) => new Client(this, options);

    private sealed class Client(TestBackendKind kind, BackendOptions options) : IUpstreamCancel, IAlwaysOnStream
    {
        public BackendOptions Options { get; } = options;

        public IReadOnlyList<RunOptionField> RunOptions { get; } = [new("temperature", "Temperature", RunOptionType.Number, Min: 0, Max: 2)];

        public IReadOnlyList<FieldError> ValidateRun(RunRequest request) => kind.RunValidation(request);

        public Task RunAsync(RunContext run, CancellationToken cancellationToken) => kind.Run(run, cancellationToken);

        public Task CancelAsync(RunContext run, CancellationToken cancellationToken) => kind.Cancel(run, cancellationToken);

        public Task RunAlwaysOnAsync(CancellationToken cancellationToken) => kind.AlwaysOn(cancellationToken);
    }
}
