using System.Security.Cryptography;
using Dashboard.Security;

namespace Dashboard.Demo;

/// <summary>
/// Credentials of the demo upstreams, random per start. The demo servers check them and
/// <see cref="DemoBackendSource"/> hands them to the dashboard's own clients, like a user would.
/// </summary>
public sealed class DemoCredentials
{
    public const string Username = "demo";

    public DemoCredentials(SecretRedactor redactor)
    {
        Password = NewSecret("");
        ApiKey = NewSecret("sk-demo-");
        redactor.Add(Password);
        redactor.Add(ApiKey);
    }

    public string Password { get; }

    public string ApiKey { get; }

    /// <summary>An unguessable URL-safe token (also used for access and stream tokens).</summary>
    public static string NewSecret(string prefix) =>
        prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');

    public static bool SameSecret(string? given, string expected) =>
        given is not null && CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.UTF8.GetBytes(given), System.Text.Encoding.UTF8.GetBytes(expected));
}
