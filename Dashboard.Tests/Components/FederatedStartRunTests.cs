using Bunit;
using Dashboard.Backends;
using Dashboard.Components.Pages;
using Dashboard.Configuration;
using Dashboard.Domain;
using Dashboard.Events;
using Dashboard.Ingest;
using Dashboard.Runs;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Dashboard.Tests.Components;

/// <summary>
/// The form on a federated backend (<c>lab/alpha</c>, brought by the link <c>lab</c>): it shows
/// the option fields the other dashboard listed for it, sends the run through the link, and shows
/// the other dashboard's field errors. The real run manager; the link is a stand-in that records.
/// </summary>
public sealed class FederatedStartRunTests : LiveTestContext
{
    private readonly RecordingLink _link = new(new BackendOptions { Name = "lab", Kind = "dashboard", BaseUrl = "http://127.0.0.1:9" });

    public FederatedStartRunTests()
    {
        Services.AddIngest();
        Services.AddSingleton<IRunLauncher>(sp =>
        {
            var catalog = new BackendCatalog();
            catalog.Publish([new BackendEntry(_link.Options, new LinkKind(), _link)]);
            var hub = sp.GetRequiredService<IEventHub>();
            return new RunManager(catalog, hub, hub.State, Options.Create(new DashboardOptions { Backends = [_link.Options] }), Time, NullLogger<RunManager>.Instance);
        });
        Publish(new BackendHealthChanged
        {
            Backend = "lab/alpha",
            At = T0,
            Health = new BackendHealth("lab/alpha", "codegen", BackendState.Connected, T0, 1, 0, 0, 0, null, false)
            {
                Via = ["child-instance"],
                Capabilities = ["runs", "cancel"],
                RunOptions =
                [
                    new RunOptionField("temperature", "Temperature", RunOptionType.Number, Min: 0, Max: 2),
                    new RunOptionField("style", "Style", RunOptionType.Choice, ["terse", "chatty"], Default: "terse"),
                ],
            },
        });
    }

    [Fact]
    public void The_form_shows_the_federated_backends_own_option_fields_and_starts_the_run_through_its_link()
    {
        var cut = Render<StartRun>();
        Assert.NotNull(cut.Find("#option-temperature"));
        Assert.NotNull(cut.Find("#option-style"));

        cut.Find("textarea").Input("Say hello from the parent");
        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.EndsWith("/runs/local-1", Services.GetRequiredService<NavigationManager>().Uri, StringComparison.Ordinal));
        var (remote, request) = Assert.Single(_link.Started);
        Assert.Equal("alpha", remote);
        Assert.Equal("lab/alpha", request.Backend);
        Assert.Equal("Say hello from the parent", request.Prompt);
        Assert.Equal("terse", request.Options!["style"].GetString());
    }

    [Fact]
    public void The_other_dashboards_field_errors_show_on_the_form()
    {
        _link.Answer = new FederatedStart(FederatedStartOutcome.Invalid, null, [new FieldError("temperature", "Temperature must be at most 1 on this backend.")]);
        var cut = Render<StartRun>();
        cut.Find("textarea").Input("Say hello from the parent");

        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.Contains("Temperature must be at most 1 on this backend.", cut.Markup, StringComparison.Ordinal));
        Assert.Single(_link.Started);
        Assert.DoesNotContain("/runs/", Services.GetRequiredService<NavigationManager>().Uri, StringComparison.Ordinal);
    }

    private sealed class LinkKind : IBackendKind
    {
        public string Kind => "dashboard";

        public BackendCapabilities Capabilities => BackendCapabilities.None;

        public IEnumerable<string> ValidateOptions(BackendOptions options, string keyPrefix) => [];

        public IBackendClient CreateClient(BackendOptions options, IServiceProvider services) => throw new InvalidOperationException("The test builds its client itself.");
    }

    private sealed class RecordingLink(BackendOptions options) : IFederatedRuns
    {
        public BackendOptions Options { get; } = options;

        public List<(string Remote, RunRequest Request)> Started { get; } = [];

        public FederatedStart Answer { get; set; } = new(FederatedStartOutcome.Started, "local-1", []);

        public Task<FederatedStart> StartAsync(string remoteBackend, RunRequest request, string? parentUpstreamId, CancellationToken cancellationToken)
        {
            Started.Add((remoteBackend, request));
            return Task.FromResult(Answer);
        }

        public Task<bool> CancelAsync(string remoteRunId, CancellationToken cancellationToken) => Task.FromResult(true);
    }
}
