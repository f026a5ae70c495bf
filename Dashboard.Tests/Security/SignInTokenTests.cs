using Dashboard.Configuration;
using Dashboard.Security;
using Microsoft.Extensions.Options;

namespace Dashboard.Tests.Security;

public sealed class SignInTokenTests
{
    private static (SignInToken Token, SecretRedactor Redactor) Create(string? token = null, string mode = "BrowserToken")
    {
        var options = Options.Create(new DashboardOptions { Auth = new AuthOptions { Token = token, Mode = mode } });
        var redactor = new SecretRedactor(options);
        return (new SignInToken(options, redactor), redactor);
    }

    [Fact]
    public void Random_token_is_32_bytes_base64url_new_per_start_and_redacted()
    {
        var (first, redactor) = Create();
        var (second, _) = Create("   ");

        Assert.True(first.IsRandom);
        Assert.Matches("^[A-Za-z0-9_-]{43}$", first.Value);
        Assert.NotEqual(first.Value, second.Value);
        Assert.NotEqual(first.CookieStamp, second.CookieStamp);
        Assert.Equal("t=***", redactor.Redact("t=" + first.Value));
    }

    [Fact]
    public void Configured_token_is_used_and_compared_exactly()
    {
        var (token, _) = Create("fixed-token-123");

        Assert.False(token.IsRandom);
        Assert.True(token.Matches("fixed-token-123"));
        Assert.False(token.Matches("fixed-token-12"));
        Assert.False(token.Matches("fixed-token-1234"));
        Assert.False(token.Matches("FIXED-TOKEN-123"));
        Assert.False(token.Matches(""));
        Assert.False(token.Matches(null));
        Assert.DoesNotContain("fixed-token-123", token.CookieStamp, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", DashboardAuthMode.BrowserToken)]
    [InlineData("browsertoken", DashboardAuthMode.BrowserToken)]
    [InlineData(" Unsecured ", DashboardAuthMode.Unsecured)]
    public void Mode_names_parse(string mode, DashboardAuthMode expected) =>
        Assert.Equal(expected, Create(mode: mode).Token.Mode);

    [Theory]
    [InlineData("1")]
    [InlineData("Open")]
    [InlineData("Unsecured,BrowserToken")]
    public void Unknown_modes_are_refused_with_the_key_to_fix(string mode)
    {
        var error = Assert.Throws<InvalidOperationException>(() => Create(mode: mode));
        Assert.Contains("Dashboard:Auth:Mode", error.Message, StringComparison.Ordinal);
    }
}
