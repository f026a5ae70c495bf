using Dashboard.Security;

namespace Dashboard.Tests.Security;

public sealed class LoopbackAddressesTests
{
    [Theory]
    [InlineData("http://127.0.0.1:5102", true)]
    [InlineData("http://127.8.9.10:80/", true)]
    [InlineData("https://localhost:0", true)]
    [InlineData("http://LOCALHOST:5000", true)]
    [InlineData("http://[::1]:5102", true)]
    [InlineData("http://0.0.0.0:5102", false)]
    [InlineData("http://+:80", false)]
    [InlineData("http://*:80", false)]
    [InlineData("http://[::]:80", false)]
    [InlineData("http://192.168.1.20:5102", false)]
    [InlineData("http://localhost.evil.example:80", false)]
    [InlineData("http://128.0.0.1:80", false)]
    [InlineData("127.0.0.1:5102", false)]
    [InlineData("", false)]
    public void Listening_addresses_are_classified(string address, bool loopback) =>
        Assert.Equal(loopback, LoopbackAddresses.IsLoopbackUrl(address));

    [Theory]
    [InlineData("http://localhost:5102", "/login?t=abc", "http://localhost:5102/login?t=abc")]
    [InlineData("http://0.0.0.0:5102", "/login?t=abc", "http://localhost:5102/login?t=abc")]
    [InlineData("http://[::]:80/", "/login?t=abc", "http://localhost:80/login?t=abc")]
    public void Sign_in_links_are_browsable(string address, string expectedSuffix, string expected)
    {
        Assert.EndsWith(expectedSuffix, SignInStartup.SignInLink(address, "abc"), StringComparison.Ordinal);
        Assert.Equal(expected, SignInStartup.SignInLink(address, "abc"));
    }

    [Fact]
    public void A_configured_token_is_escaped_in_the_link() =>
        Assert.Equal("http://127.0.0.1:1/login?t=a%20b%26c", SignInStartup.SignInLink("http://127.0.0.1:1", "a b&c"));
}
