using Dashboard.Backends;
using Dashboard.Configuration;
using Dashboard.Demo;
using Dashboard.Security;
using Dashboard.Tests.Runs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Dashboard.Tests.Configuration;

public sealed class DashboardOptionsValidatorTests
{
    private static readonly BackendKindRegistry Kinds = new(
    [
        new TestBackendKind("alpha-kind"),
        new TestBackendKind("needs-url")
        {
            OptionsValidation = (o, prefix) => o.BaseUrl is null ? [$"{prefix}:BaseUrl is required for needs-url."] : [],
        },
    ]);

    [Fact]
    public void A_good_configuration_passes()
    {
        var options = new DashboardOptions
        {
            Backends = [new() { Name = "one", Kind = "alpha-kind" }, new() { Name = "two", Kind = "needs-url", BaseUrl = "http://127.0.0.1:1" }],
        };

        Assert.True(Validate(options).Succeeded);
    }

    [Fact]
    public void Missing_name_names_its_key()
    {
        var failures = Failures(new DashboardOptions { Backends = [new() { Kind = "alpha-kind" }] });

        Assert.Equal(["Dashboard:Backends:0:Name is required."], failures);
    }

    [Fact]
    public void A_name_unfit_for_urls_is_refused()
    {
        var failures = Failures(new DashboardOptions { Backends = [new() { Name = "a/b", Kind = "alpha-kind" }] });

        Assert.StartsWith("Dashboard:Backends:0:Name \"a/b\" may contain only", Assert.Single(failures), StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_names_are_case_insensitive_and_point_at_the_first()
    {
        var failures = Failures(new DashboardOptions
        {
            Backends = [new() { Name = "Main", Kind = "alpha-kind" }, new() { Name = "other", Kind = "alpha-kind" }, new() { Name = "main", Kind = "alpha-kind" }],
        });

        Assert.Equal(["Dashboard:Backends:2:Name \"main\" is already used by Dashboard:Backends:0 (names are case-insensitive)."], failures);
    }

    [Fact]
    public void Unknown_or_missing_kind_lists_the_known_kinds()
    {
        var failures = Failures(new DashboardOptions
        {
            Backends = [new() { Name = "a", Kind = "codegenn" }, new() { Name = "b" }],
        });

        Assert.Equal(
        [
            "Dashboard:Backends:0:Kind \"codegenn\" is unknown; known kinds: alpha-kind, needs-url.",
            "Dashboard:Backends:1:Kind is required; known kinds: alpha-kind, needs-url.",
        ], failures);
    }

    [Fact]
    public void The_kinds_own_validation_gets_the_backends_key_prefix()
    {
        var failures = Failures(new DashboardOptions
        {
            Backends = [new() { Name = "a", Kind = "alpha-kind" }, new() { Name = "b", Kind = "needs-url" }],
        });

        Assert.Equal(["Dashboard:Backends:1:BaseUrl is required for needs-url."], failures);
    }

    [Fact]
    public void Limits_and_per_backend_numbers_must_be_positive()
    {
        var failures = Failures(new DashboardOptions
        {
            Backends = [new() { Name = "a", Kind = "alpha-kind", MaxConcurrentRuns = 0, StallTimeout = TimeSpan.FromSeconds(-1) }],
            Limits = new LimitsOptions { MaxPromptChars = 0, InspectorCapacity = -5 },
            Demo = new DemoOptions { TimeScale = 0 },
        });

        Assert.Equal(
        [
            "Dashboard:Backends:0:MaxConcurrentRuns must be at least 1 (is 0).",
            "Dashboard:Backends:0:StallTimeout must be a positive duration such as 00:00:30 (is -00:00:01).",
            "Dashboard:Limits:InspectorCapacity must be positive (is -5).",
            "Dashboard:Limits:MaxPromptChars must be positive (is 0).",
            "Dashboard:Demo:TimeScale must be a positive number (is 0).",
        ], failures);
    }

    [Theory]
    [InlineData("BrowserToken", true)]
    [InlineData("Unsecured", true)]
    [InlineData("unsecured", true)]
    [InlineData("", true)]
    [InlineData("Open", false)]
    [InlineData("1", false)]
    public void Auth_mode_is_BrowserToken_or_Unsecured(string mode, bool valid)
    {
        var failures = Failures(new DashboardOptions { Auth = new AuthOptions { Mode = mode } });

        if (valid)
        {
            Assert.Empty(failures);
        }
        else
        {
            Assert.Equal([$"Dashboard:Auth:Mode must be BrowserToken or Unsecured (is \"{mode}\")."], failures);
        }
    }

    [Fact]
    public void Environment_variables_bind_backends()
    {
        var prefix = $"DASHTEST_{Guid.NewGuid():N}_";
        Environment.SetEnvironmentVariable(prefix + "Dashboard__Backends__0__Name", "dreamer");
        Environment.SetEnvironmentVariable(prefix + "Dashboard__Backends__0__Kind", "needs-url");
        Environment.SetEnvironmentVariable(prefix + "Dashboard__Backends__0__BaseUrl", "http://127.0.0.1:8080/api");
        Environment.SetEnvironmentVariable(prefix + "Dashboard__Backends__0__Headers__X-Team", "blue");
        Environment.SetEnvironmentVariable(prefix + "Dashboard__Backends__0__StallTimeout", "00:01:00");
        try
        {
            var configuration = new ConfigurationBuilder().AddEnvironmentVariables(prefix).Build();
            var services = new ServiceCollection().AddSingleton(Kinds).AddDashboardConfiguration(configuration).BuildServiceProvider();

            var backend = Assert.Single(services.GetRequiredService<IOptions<DashboardOptions>>().Value.Backends);

            Assert.Equal(("dreamer", "needs-url", "http://127.0.0.1:8080/api"), (backend.Name, backend.Kind, backend.BaseUrl));
            Assert.Equal("blue", backend.Headers["x-team"]);
            Assert.Equal(TimeSpan.FromMinutes(1), backend.StallTimeout);
        }
        finally
        {
            foreach (var key in new[] { "Name", "Kind", "BaseUrl", "Headers__X-Team", "StallTimeout" })
            {
                Environment.SetEnvironmentVariable(prefix + "Dashboard__Backends__0__" + key, null);
            }
        }
    }

    [Fact]
    public async Task A_bad_configuration_fails_start_up_with_every_message()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Dashboard:Backends:0:Kind"] = "alpha-kind",
            ["Dashboard:Backends:1:Name"] = "x",
            ["Dashboard:Backends:1:Kind"] = "nope",
            ["Dashboard:Limits:MaxRuns"] = "0",
            ["Dashboard:Auth:Mode"] = "Open",
        });
        builder.Services.AddSingleton(Kinds).AddBackendOptionsValidation().AddDashboardConfiguration(builder.Configuration).AddAuthOptionsValidation();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Equal(
        [
            "Dashboard:Backends:0:Name is required.",
            "Dashboard:Backends:1:Kind \"nope\" is unknown; known kinds: alpha-kind, needs-url.",
            "Dashboard:Limits:MaxRuns must be positive (is 0).",
            "Dashboard:Auth:Mode must be BrowserToken or Unsecured (is \"Open\").",
        ], error.Failures);
    }

    /// <summary>Every part's validator, in the order the app's start-up reports them here.</summary>
    private static readonly IValidateOptions<DashboardOptions>[] Validators =
        [new BackendOptionsValidator(Kinds), new DashboardOptionsValidator(), new DemoOptionsValidator(), new AuthOptionsValidator()];

    private static ValidateOptionsResult Validate(DashboardOptions options)
    {
        var failures = Validators.SelectMany(v => v.Validate(null, options).Failures ?? []).ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static IEnumerable<string> Failures(DashboardOptions options) => Validate(options).Failures ?? [];
}
