using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Dashboard.Configuration;
using Microsoft.Extensions.Options;

namespace Dashboard.Security;

/// <summary>
/// The effective authentication settings: the mode and the one token that signs a browser in
/// (login link) and authorizes API scripts (bearer). Fixed by <c>Dashboard:Auth:Token</c> or
/// random per start; either way it is registered with the <see cref="SecretRedactor"/>.
/// </summary>
public sealed class SignInToken
{
    private const int RandomTokenBytes = 32;

    private readonly byte[] _tokenHash;
    private readonly byte[]? _readTokenHash;

    public SignInToken(IOptions<DashboardOptions> options, SecretRedactor redactor)
    {
        var auth = options.Value.Auth;
        Mode = ParseMode(auth.Mode);

        var configured = auth.Token;
        if (configured is not null && string.IsNullOrWhiteSpace(configured))
        {
            configured = null;
        }

        Value = configured ?? Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(RandomTokenBytes));
        IsRandom = configured is null;
        redactor.Add(Value);
        _tokenHash = Hash(Value);
        if (!string.IsNullOrWhiteSpace(auth.ReadToken))
        {
            redactor.Add(auth.ReadToken);
            _readTokenHash = Hash(auth.ReadToken);
        }

        // A cookie carries this stamp, never the token: when the token changes (a new random
        // token per start) every cookie issued under the old one stops working.
        CookieStamp = Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes("dashboard-cookie-stamp:" + Value)));
    }

    public DashboardAuthMode Mode { get; }

    public string Value { get; }

    public bool IsRandom { get; }

    public string CookieStamp { get; }

    /// <summary>Constant-time comparison; hashing first also hides the token's length.</summary>
    public bool Matches(string? candidate)
    {
        if (string.IsNullOrEmpty(candidate))
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Hash(candidate), _tokenHash);
    }

    /// <summary>What <paramref name="candidate"/> grants: everything (the token), reading (<c>Dashboard:Auth:ReadToken</c>) or nothing.</summary>
    public TokenScope ScopeOf(string? candidate)
    {
        if (string.IsNullOrEmpty(candidate))
        {
            return TokenScope.None;
        }

        var hash = Hash(candidate);
        if (CryptographicOperations.FixedTimeEquals(hash, _tokenHash))
        {
            return TokenScope.Full;
        }

        return _readTokenHash is not null && CryptographicOperations.FixedTimeEquals(hash, _readTokenHash)
            ? TokenScope.Read
            : TokenScope.None;
    }

    private static byte[] Hash(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));

    private static DashboardAuthMode ParseMode(string? mode)
    {
        if (string.IsNullOrWhiteSpace(mode))
        {
            return DashboardAuthMode.BrowserToken;
        }

        // Names only: a number such as "1" must not switch sign-in off.
        foreach (var name in Enum.GetNames<DashboardAuthMode>())
        {
            if (name.Equals(mode.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return Enum.Parse<DashboardAuthMode>(name);
            }
        }

        throw new InvalidOperationException(
            $"Dashboard:Auth:Mode is '{mode}'; use '{DashboardAuthMode.BrowserToken}' (default) or '{DashboardAuthMode.Unsecured}'.");
    }
}

/// <summary>What a bearer token grants.</summary>
public enum TokenScope
{
    None,

    /// <summary><c>Dashboard:Auth:ReadToken</c>: GET routes, the live API, /metrics.</summary>
    Read,

    /// <summary>The dashboard's token: everything.</summary>
    Full,
}
