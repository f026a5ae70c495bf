namespace Dashboard.Security;

/// <summary>
/// Sign-in sessions known to every replica (scale-out), so a browser moved to another replica
/// stays signed in and a sign-out on one replica holds on all. Without it (one process) sessions
/// live in <see cref="SignInSessions"/> alone. Implementations never throw for an unreachable store.
/// </summary>
public interface ISharedSignInSessions
{
    /// <summary>Records a new session for <paramref name="lifetime"/> without use.</summary>
    Task OpenAsync(string id, TimeSpan lifetime);

    /// <summary>True (and its idle time restarts) when open; false when signed out; null when the shared store does not know it or cannot say.</summary>
    Task<bool?> TouchAsync(string id, TimeSpan lifetime);

    /// <summary>Marks the session signed out for every replica.</summary>
    Task CloseAsync(string id, TimeSpan lifetime);
}
