using Dashboard.Configuration;
using Dashboard.Security;
using Dashboard.Hosting;

namespace Dashboard.Tests.Hosting;

public sealed class PublicAddressTests
{
    [Theory]
    [InlineData("https://dash.example.com/dashboard/", "https://dash.example.com/dashboard")]
    [InlineData("http://10.0.0.5:8080", "http://10.0.0.5:8080/")]
    public void Parse_keeps_scheme_host_port_and_path_without_a_trailing_slash(string value, string expected) =>
        Assert.Equal(new Uri(expected), PublicAddress.Parse(value));

    [Theory]
    [InlineData("")]
    [InlineData("dashboard.example.com")]
    [InlineData("/dashboard")]
    [InlineData("ftp://example.com")]
    [InlineData("https://example.com/?x=1")]
    [InlineData("https://example.com/#top")]
    [InlineData("https://user:pw@example.com/")]
    public void Parse_refuses_what_is_not_an_absolute_http_address(string value) => Assert.Null(PublicAddress.Parse(value));

    [Theory]
    [InlineData("https://dash.example.com", true)]
    [InlineData("https://DASH.example.com", true)]
    [InlineData("https://dash.example.com:443", true)]
    [InlineData("http://dash.example.com", false)]
    [InlineData("https://dash.example.com:8443", false)]
    [InlineData("https://evil.example.com", false)]
    [InlineData("https://dash.example.com.evil.example", false)]
    [InlineData("null", false)]
    public void An_origin_matches_the_public_url_by_scheme_host_and_port_only(string origin, bool expected) =>
        Assert.Equal(expected, PublicAddress.IsOriginOf(origin, "https://dash.example.com/dashboard"));
}
