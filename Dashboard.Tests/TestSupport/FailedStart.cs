namespace Dashboard.Tests.TestSupport;

/// <summary>
/// The exception with which the real app refuses to start. One attempt: <c>TestApp</c> holds the
/// app's start until the factory waits on it, so the app's own exception is what surfaces.
/// </summary>
internal static class FailedStart
{
    public static Exception Of<TFactory>(Func<TFactory> create, Action<TFactory> start)
        where TFactory : IDisposable
    {
        using var factory = create();
        var error = Assert.ThrowsAny<Exception>(() => start(factory));
        Assert.IsNotType<ObjectDisposedException>(error);
        return error;
    }
}
