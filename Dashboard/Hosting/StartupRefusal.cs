using Dashboard.Domain;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace Dashboard.Hosting;

/// <summary>
/// Turns the exceptions with which start-up is refused (configuration validation, a port in use,
/// <see cref="StartupRefusedException"/>) into one line per problem. Anything else is a bug and
/// keeps its stack trace.
/// </summary>
public static class StartupRefusal
{
    public const int ExitCode = 1;

    public const string Heading = "Dashboard did not start:";

    /// <summary>The operator's lines for <paramref name="error"/>, or null when it is not a refusal.</summary>
    public static IReadOnlyList<string>? Describe(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var lines = new List<string>();
        return Collect(error, lines) ? lines : null;
    }

    public static void Write(TextWriter output, IReadOnlyList<string> problems)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(problems);
        output.WriteLine(Heading);
        foreach (var problem in problems)
        {
            // A problem is one line, whatever its text carries.
            output.WriteLine(problem.ReplaceLineEndings(" "));
        }

        output.Flush();
    }

    private static bool Collect(Exception error, List<string> lines)
    {
        switch (error)
        {
            case StartupRefusedException refused:
                lines.AddRange(refused.Problems);
                return true;
            case OptionsValidationException invalid:
                lines.AddRange(invalid.Failures);
                return true;
            case AggregateException aggregate:
                // Every inner exception must be a refusal, or the whole is a bug worth its trace.
                var inner = new List<string>();
                foreach (var part in aggregate.Flatten().InnerExceptions)
                {
                    if (!Collect(part, inner))
                    {
                        return false;
                    }
                }

                lines.AddRange(inner);
                return inner.Count > 0;
            case IOException io when io.InnerException is AddressInUseException or SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse }:
                lines.Add($"urls: {Trim(io.Message)}; another process listens there. Choose a free address with --urls or ASPNETCORE_URLS (e.g. http://127.0.0.1:5103).");
                return true;
            case IOException io when io.InnerException is SocketException { SocketErrorCode: SocketError.AccessDenied }:
                lines.Add($"urls: {Trim(io.Message)}; the address needs privileges this process lacks (ports below 1024). Choose another with --urls or ASPNETCORE_URLS.");
                return true;
            default:
                return false;
        }
    }

    private static string Trim(string message) => message.ReplaceLineEndings(" ").Trim().TrimEnd('.');
}
