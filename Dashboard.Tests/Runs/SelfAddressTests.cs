using Dashboard.Backends;

namespace Dashboard.Tests.Runs;

public sealed class SelfAddressTests
{
    [Theory]
    [InlineData("http://127.0.0.1:5102", "http://127.0.0.1:5102/")]
    [InlineData("http://0.0.0.0:5000", "http://127.0.0.1:5000/")]
    [InlineData("http://[::]:5001", "http://127.0.0.1:5001/")]
    [InlineData("http://+:80", "http://127.0.0.1:80/")]
    [InlineData("http://*:8080", "http://127.0.0.1:8080/")]
    [InlineData("http://localhost:5002", "http://127.0.0.1:5002/")]
    [InlineData("http://[::1]:5003", "http://[::1]:5003/")]
    [InlineData("https://localhost:7001", "https://127.0.0.1:7001/")]
    public void Maps_a_listen_address_to_a_loopback_one(string listen, string expected)
    {
        Assert.Equal(new Uri(expected), SelfAddress.Pick([listen]));
    }

    [Fact]
    public void Prefers_http_and_a_direct_loopback_binding()
    {
        Assert.Equal(new Uri("http://127.0.0.1:6000/"), SelfAddress.Pick(["https://127.0.0.1:7000", "http://[::1]:6001", "http://0.0.0.0:6002", "http://127.0.0.1:6000"]));
        Assert.Equal(new Uri("http://127.0.0.1:6002/"), SelfAddress.Pick(["https://127.0.0.1:7000", "http://[::1]:6001", "http://0.0.0.0:6002"]));
    }

    [Theory]
    [InlineData("")]
    [InlineData("127.0.0.1:5000")]
    [InlineData("http://127.0.0.1")]
    [InlineData("http://127.0.0.1:0x10")]
    [InlineData("http://127.0.0.1:70000")]
    [InlineData("ftp://127.0.0.1:21")]
    [InlineData("http://[::]")]
    public void Ignores_what_is_not_a_usable_listen_address(string listen)
    {
        Assert.Null(SelfAddress.Pick([listen]));
    }
}
