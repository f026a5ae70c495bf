using Dashboard.Configuration;
using Dashboard.Security;
using Microsoft.Extensions.Options;

namespace Dashboard.Tests.Security;

public sealed class SecretRedactorTests
{
    private static SecretRedactor Redactor() => new(Options.Create(new DashboardOptions
    {
        Backends =
        [
            new BackendOptions
            {
                Name = "gen",
                Password = "hunter2-password",
                ApiKey = "sk-live-abcdef123456",
                Headers = { ["X-Api-Key"] = "header-secret-value" },
            },
        ],
        Auth = new AuthOptions { Token = "dashboard-sign-in-token" },
    }));

    [Theory]
    [InlineData("login failed for hunter2-password", "login failed for ***")]
    [InlineData("key sk-live-abcdef123456 rejected", "key *** rejected")]
    [InlineData("sent header-secret-value", "sent ***")]
    [InlineData("/login?t=dashboard-sign-in-token", "/login?t=***")]
    public void Configured_secrets_are_masked(string text, string expected) =>
        Assert.Equal(expected, Redactor().Redact(text));

    [Fact]
    public void Run_time_tokens_are_masked_once_added()
    {
        var redactor = Redactor();
        Assert.Equal("stream abc123xyz", redactor.Redact("stream abc123xyz"));

        redactor.Add("abc123xyz");

        Assert.Equal("stream ***", redactor.Redact("stream abc123xyz"));
    }

    [Theory]
    [InlineData("GET /stream?token=eyJhbGciOi.x-y&page=2", "GET /stream?token=***&page=2")]
    [InlineData("https://h/s?sse_token=abc&access_token=def", "https://h/s?sse_token=***&access_token=***")]
    [InlineData("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig==", "Authorization: Bearer ***")]
    [InlineData("authorization: bearer abc.def", "authorization: bearer ***")]
    [InlineData("AUTHORIZATION: BEARER abc.def", "AUTHORIZATION: BEARER ***")]
    [InlineData("proxy said BeArEr\tabc.def then PASSWORD=pw1 and Key=k2", "proxy said BeArEr\t*** then PASSWORD=*** and Key=***")]
    public void Token_shaped_values_are_masked_without_being_configured(string text, string expected) =>
        Assert.Equal(expected, Redactor().Redact(text));

    [Fact]
    public void A_secret_containing_another_is_masked_whole()
    {
        var redactor = Redactor();
        redactor.Add("abcd");
        redactor.Add("abcd-efgh-ijkl");

        Assert.Equal("x *** y", redactor.Redact("x abcd-efgh-ijkl y"));
    }

    [Theory]
    [InlineData(null, "")]
    [InlineData("", "")]
    [InlineData("nothing secret here", "nothing secret here")]
    public void Plain_text_passes_unchanged(string? text, string expected) =>
        Assert.Equal(expected, Redactor().Redact(text));

    [Fact]
    public void Very_short_values_are_not_treated_as_secrets()
    {
        var redactor = Redactor();
        redactor.Add("a");
        redactor.Add("ab");

        Assert.Equal("a cab", redactor.Redact("a cab"));
    }
}
