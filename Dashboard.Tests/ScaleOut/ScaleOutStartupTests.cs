using Dashboard.Hosting;
using Dashboard.Testing;
using Dashboard.Tests.TestSupport;

namespace Dashboard.Tests.ScaleOut;

/// <summary>Redis coordination needs the shared store: any other provider is a start-up refusal naming the key.</summary>
public sealed class ScaleOutStartupTests
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("memory")]
    public void Redis_with_a_store_replicas_cannot_share_is_refused_in_one_line_naming_both_keys(string provider)
    {
        var folder = Directory.CreateTempSubdirectory("dashboard-scaleout-").FullName;
        try
        {
            var error = FailedStart.Of(
                () => new TestApp(new Dictionary<string, string?>
                {
                    ["Dashboard:Storage:Provider"] = provider,
                    ["Dashboard:Storage:Path"] = Path.Combine(folder, "dashboard.db"),
                    ["Dashboard:ScaleOut:Redis"] = "127.0.0.1:1,password=redis-secret-77aa",
                }),
                factory => factory.CreateClient());

            var lines = StartupRefusal.Describe(error);
            Assert.NotNull(lines);
            var line = Assert.Single(lines, l => l.Contains("Dashboard:ScaleOut:Redis", StringComparison.Ordinal));
            Assert.Contains($"Dashboard:Storage:Provider is {provider}", line, StringComparison.Ordinal);
            Assert.Contains("Dashboard:Storage:Provider=postgres", line, StringComparison.Ordinal);
            Assert.DoesNotContain("redis-secret-77aa", string.Join('\n', lines), StringComparison.Ordinal);
            Assert.DoesNotContain('\n', line);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_lease_ttl_under_a_second_is_refused_naming_its_key()
    {
        var error = FailedStart.Of(
            () => new TestApp(new Dictionary<string, string?> { ["Dashboard:ScaleOut:LeaseTtl"] = "00:00:00.200" }),
            factory => factory.CreateClient());

        var lines = StartupRefusal.Describe(error);
        Assert.NotNull(lines);
        Assert.Contains(lines, l => l.StartsWith("Dashboard:ScaleOut:LeaseTtl must be at least 1 second", StringComparison.Ordinal));
    }
}
