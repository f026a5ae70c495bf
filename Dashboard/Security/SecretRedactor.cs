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

    /// <summary>
    /// The shortest credential the dashboard accepts. Masking a shorter value everywhere would
    /// garble ordinary text (and let an upstream blank every page with a one-letter "token"), so
    /// a shorter one is never taken: a configured one is refused at start-up, one an upstream
    /// issues at run time is refused by the client that receives it.
    /// </summary>
    public const int MinSecretLength = 4;

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

    /// <summary>True when <paramref name="secret"/> is long enough to be masked (see <see cref="MinSecretLength"/>).</summary>
    public static bool IsMaskable(string secret) => secret is { Length: >= MinSecretLength };

    /// <summary>
    /// Registers a secret learnt at run time (access token, stream token). Callers refuse a value
    /// shorter than <see cref="MinSecretLength"/> before they use it; such a value is not added here.
    /// </summary>
    public void Add(string? secret)
    {
        if (string.IsNullOrEmpty(secret) || !IsMaskable(secret))
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

        // Each pattern needs a literal most text lacks ('=', "bearer" in any case): checking for it
        // first keeps the regex engine off the ingest path's common case (stage names and messages).
        if (text.Contains('='))
        {
            text = TokenParameter().Replace(text, TokenReplacement);
        }

        return text.Contains("bearer", StringComparison.OrdinalIgnoreCase) ? BearerValue().Replace(text, TokenReplacement) : text;
    }

    private const string TokenReplacement = "$1" + Mask;

    /// <summary>
    /// Redacts one delta of streamed text, where a secret may be split across deltas. The text
    /// kept back from earlier deltas (<paramref name="held"/>) is put in front; every whole secret
    /// is masked; then only a tail that could be the start of a secret is kept back again, so
    /// ordinary text passes at once. Returns what may be shown now. Only literal secrets are
    /// masked here: the token patterns of <see cref="Redact"/> would also mangle ordinary answers
    /// (code samples with <c>password=</c>), and a run-time token is a literal secret anyway.
    /// </summary>
    public string RedactDelta(string delta, ref string held)
    {
        var secrets = _secrets;
        var text = held.Length == 0 ? delta : held + delta;
        foreach (var secret in secrets)
        {
            if (text.Contains(secret, StringComparison.Ordinal))
            {
                text = text.Replace(secret, Mask, StringComparison.Ordinal);
            }
        }

        var keep = SecretStartAtEnd(text, secrets);
        held = keep == 0 ? "" : text[^keep..];
        return keep == 0 ? text : text[..^keep];
    }

    /// <summary>Length of the longest tail of <paramref name="text"/> that is a proper prefix of a secret.</summary>
    private static int SecretStartAtEnd(string text, string[] secrets)
    {
        var longest = 0;
        foreach (var secret in secrets)
        {
            var from = Math.Max(0, text.Length - (secret.Length - 1));
            var window = text.AsSpan(from);
            var first = secret[0];
            for (var i = window.IndexOf(first); i >= 0 && window.Length - i > longest;)
            {
                if (secret.AsSpan().StartsWith(window[i..]))
                {
                    longest = window.Length - i;
                    break;
                }

                var next = window[(i + 1)..].IndexOf(first);
                i = next < 0 ? -1 : i + 1 + next;
            }
        }

        return longest;
    }

    [GeneratedRegex(@"((?:token|access_token|sse_token|api_key|apikey|key|password)=)[^&\s""']+", RegexOptions.IgnoreCase)]
    private static partial Regex TokenParameter();

    [GeneratedRegex(@"(Bearer\s+)[A-Za-z0-9\-._~+/]+=*", RegexOptions.IgnoreCase)]
    private static partial Regex BearerValue();
}
