namespace Dashboard.Tests.TestSupport;

/// <summary>
/// The exception with which the real app refuses to start. Under load WebApplicationFactory
/// sometimes surfaces its own ObjectDisposedException instead (its host is disposed while the
/// failed start is still being reported); such a start is tried again with a new factory, at most
/// a few times, so the app's own exception is what tests assert on.
/// </summary>
internal static class FailedStart
{
    private const int Attempts = 5;

    public static Exception Of<TFactory>(Func<TFactory> create, Action<TFactory> start)
        where TFactory : IDisposable
    {
        for (var attempt = 1; ; attempt++)
        {
            using var factory = create();
            var error = Assert.ThrowsAny<Exception>(() => start(factory));
            if (error is not ObjectDisposedException || attempt == Attempts)
            {
                return error;
            }
        }
    }
}
