using Dashboard.Testing;
using Dashboard.Tests.TestSupport;
using Microsoft.Extensions.Options;

namespace Dashboard.Tests.Api;

public sealed class StartupValidationTests
{
    [Fact]
    public void The_real_app_refuses_to_start_with_a_bad_configuration_and_says_every_problem()
    {
        var error = Assert.IsType<OptionsValidationException>(FailedStart.Of(
            () => new TestApp(new Dictionary<string, string?>
            {
                ["Dashboard:Backends:0:Name"] = "one",
                ["Dashboard:Backends:0:Kind"] = "no-such-kind",
                ["Dashboard:Backends:1:Name"] = "ONE",
                ["Dashboard:Backends:1:Kind"] = "test-runs",
                ["Dashboard:Limits:MaxPromptChars"] = "-1",
            })
            { Demo = false, Kinds = [new Runs.TestBackendKind("test-runs")] },
            server => server.CreateApiClient()));

        Assert.Contains(error.Failures, f => f.StartsWith("Dashboard:Backends:0:Kind \"no-such-kind\" is unknown; known kinds:", StringComparison.Ordinal) && f.Contains("test-runs", StringComparison.Ordinal));
        Assert.Contains("Dashboard:Backends:1:Name \"ONE\" is already used by Dashboard:Backends:0 (names are case-insensitive).", error.Failures);
        Assert.Contains("Dashboard:Limits:MaxPromptChars must be positive (is -1).", error.Failures);
    }
}
