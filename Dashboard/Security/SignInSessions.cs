using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using Dashboard.Configuration;
using Microsoft.Extensions.Options;

namespace Dashboard.Security;

/// <summary>
/// Browser sign-ins known to this process. A cookie is honoured only while its session is here:
/// sign-out removes it (a replayed cookie gets the sign-in page), it expires after
/// <c>Dashboard:Auth:SessionLifetime</c> without use, and a restart forgets every session, so a
/// cookie never outlives the process that issued it, fixed token or not. Bounded: beyond
/// <see cref="MaxSessions"/> the least recently used session is dropped.
/// </summary>
public sealed class SignInSessions(IOptions<DashboardOptions> options, TimeProvider clock)
{
    public const int MaxSessions = 10_000;

    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastSeen = new(StringComparer.Ordinal);
    private readonly TimeSpan _lifetime = options.Value.Auth.SessionLifetime;

    public TimeSpan Lifetime => _lifetime;

    public int Count => _lastSeen.Count;

    /// <summary>A new session id (random, 128 bits).</summary>
    public string Open()
    {
        var id = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
        var now = clock.GetUtcNow();
        if (_lastSeen.Count >= MaxSessions)
        {
            Prune(now);
        }

        _lastSeen[id] = now;
        return id;
    }

    /// <summary>True (and the session's idle time restarts) when <paramref name="id"/> is open and not expired.</summary>
    public bool Touch(string? id)
    {
        if (id is null || !_lastSeen.TryGetValue(id, out var seen))
        {
            return false;
        }

        var now = clock.GetUtcNow();
        if (now - seen > _lifetime)
        {
            _lastSeen.TryRemove(id, out _);
            return false;
        }

        _lastSeen.TryUpdate(id, now, seen);
        return true;
    }

    public void Close(string? id)
    {
        if (id is not null)
        {
            _lastSeen.TryRemove(id, out _);
        }
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (id, seen) in _lastSeen)
        {
            if (now - seen > _lifetime)
            {
                _lastSeen.TryRemove(id, out _);
            }
        }

        var excess = _lastSeen.Count - MaxSessions + 1;
        if (excess > 0)
        {
            foreach (var (id, _) in _lastSeen.OrderBy(p => p.Value).Take(excess).ToList())
            {
                _lastSeen.TryRemove(id, out _);
            }
        }
    }
}
