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
/// <see cref="MaxSessions"/> the least recently used session is dropped. With several replicas
/// (<see cref="ISharedSignInSessions"/>) a session lives in the cluster instead: it outlives the
/// replica that issued it, not the cluster's Redis.
/// </summary>
/// <param name="shared">Several replicas: the sessions every replica knows (see the async members).</param>
public sealed class SignInSessions(IOptions<DashboardOptions> options, TimeProvider clock, ISharedSignInSessions? shared = null)
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

    /// <summary><see cref="Open"/>, also recorded for the other replicas.</summary>
    public async Task<string> OpenAsync()
    {
        var id = Open();
        if (shared is not null)
        {
            await shared.OpenAsync(id, _lifetime);
        }

        return id;
    }

    /// <summary>
    /// <see cref="Touch"/> across replicas: what the shared store says wins (a session another
    /// replica opened is honoured here, one signed out anywhere is not); when it does not know the
    /// session (Redis restarted or unreachable) this process's own knowledge decides, and a session
    /// known here is recorded there again.
    /// </summary>
    public async Task<bool> TouchAsync(string? id)
    {
        if (id is null || shared is null)
        {
            return Touch(id);
        }

        switch (await shared.TouchAsync(id, _lifetime))
        {
            case true:
                var now = clock.GetUtcNow();
                if (!_lastSeen.ContainsKey(id) && _lastSeen.Count >= MaxSessions)
                {
                    Prune(now);
                }

                _lastSeen[id] = now;
                return true;
            case false:
                _lastSeen.TryRemove(id, out _);
                return false;
            default:
                if (!Touch(id))
                {
                    return false;
                }

                await shared.OpenAsync(id, _lifetime);
                return true;
        }
    }

    /// <summary><see cref="Close"/> on every replica.</summary>
    public async Task CloseAsync(string? id)
    {
        Close(id);
        if (id is not null && shared is not null)
        {
            await shared.CloseAsync(id, _lifetime);
        }
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
