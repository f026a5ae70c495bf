using Dashboard.Domain;
using System.Net.Sockets;
using Dashboard.Hosting;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace Dashboard.Tests.Hosting;

public sealed class StartupRefusalTests
{
    [Fact]
    public void Validation_failures_of_several_options_and_a_part_s_refusal_become_one_line_each()
    {
        var error = new AggregateException(
            new OptionsValidationException("a", typeof(object), ["Dashboard:A is wrong.", "Dashboard:B is wrong."]),
            new StartupRefusedException(["Dashboard:Store:Path cannot be opened:\nread-only file system."]));

        var lines = StartupRefusal.Describe(error);

        Assert.Equal(["Dashboard:A is wrong.", "Dashboard:B is wrong.", "Dashboard:Store:Path cannot be opened:\nread-only file system."], lines);
        using var output = new StringWriter();
        StartupRefusal.Write(output, lines!);
        Assert.Equal(
            [StartupRefusal.Heading, "Dashboard:A is wrong.", "Dashboard:B is wrong.", "Dashboard:Store:Path cannot be opened: read-only file system."],
            output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void A_port_in_use_names_the_address_and_the_keys_that_choose_another()
    {
        var error = new IOException("Failed to bind to address http://127.0.0.1:5102: address already in use.", new AddressInUseException("Address already in use"));

        var line = Assert.Single(StartupRefusal.Describe(error)!);

        Assert.StartsWith("urls: Failed to bind to address http://127.0.0.1:5102: address already in use;", line, StringComparison.Ordinal);
        Assert.Contains("--urls or ASPNETCORE_URLS", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Anything_else_is_not_a_refusal_and_keeps_its_stack_trace()
    {
        Assert.Null(StartupRefusal.Describe(new InvalidOperationException("a bug")));
        Assert.Null(StartupRefusal.Describe(new IOException("disk", new SocketException((int)SocketError.ConnectionReset))));
        // One bug among refusals: the whole is reported as the bug it contains.
        Assert.Null(StartupRefusal.Describe(new AggregateException(new StartupRefusedException("x"), new ArgumentOutOfRangeException("count"))));
        Assert.Throws<ArgumentException>(() => new StartupRefusedException(Array.Empty<string>()));
    }
}
