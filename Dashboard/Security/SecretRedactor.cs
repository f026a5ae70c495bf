using System.Text.RegularExpressions;
using Dashboard.Configuration;
using Microsoft.Extensions.Options;

namespace Dashboard.Security;

/// <summary>
/// Removes secrets from any text that may reach a log, the inspector, the API or a page:
/// every configured credential and header value, plus bearer/stream tokens learnt at run time
/// (<see cref="Add"/>) and token-looking URL parameters and headers.
/// </summary>
public sealed partial class SecretRedactor
{
    public const string Mask = "***";

    private readonly Lock _gate = new();
    private string[] _secrets = [];

    public SecretRedactor(IOptions<DashboardOptions> options)
    {
        foreach (var backend in options.Value.Backends)
        {
            Add(backend.Password);
            Add(backend.ApiKey);
            foreach (var value in backend.Headers.Values)
            {
                Add(value);
            }
        }

        Add(options.Value.Auth.Token);
    }

    /// <summary>Registers a secret learnt at run time (access token, stream token). Short values are ignored.</summary>
    public void Add(string? secret)
    {
        if (string.IsNullOrEmpty(secret) || secret.Length < 4)
        {
            return;
        }

        lock (_gate)
        {
            if (Array.IndexOf(_secrets, secret) >= 0)
            {
                return;
            }

            // Longest first, so a secret that contains another is masked whole. Bounded: old
            // run-time tokens beyond the cap are forgotten (they are single-use and short-lived).
            var next = _secrets.Append(secret).OrderByDescending(s => s.Length).Take(4096).ToArray();
            _secrets = next;
        }
    }

    public string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? "";
        }

        foreach (var secret in _secrets)
        {
            if (text.Contains(secret, StringComparison.Ordinal))
            {
                text = text.Replace(secret, Mask, StringComparison.Ordinal);
            }
        }

        text = TokenParameter().Replace(text, "$1" + Mask);
        return BearerValue().Replace(text, "$1" + Mask);
    }

    [GeneratedRegex(@"((?:token|access_token|sse_token|api_key|apikey|key|password)=)[^&\s""']+", RegexOptions.IgnoreCase)]
    private static partial Regex TokenParameter();

    [GeneratedRegex(@"(Bearer\s+)[A-Za-z0-9\-._~+/]+=*", RegexOptions.IgnoreCase)]
    private static partial Regex BearerValue();
}
