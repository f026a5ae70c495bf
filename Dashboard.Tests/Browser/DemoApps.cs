using Dashboard.Testing;
namespace Dashboard.Tests.Browser;

/// <summary>One app per test class: the demo at 1/20 of real time, every run completing.</summary>
public sealed class FastDemoApp : IDisposable
{
    public TestApp Server { get; } = new(BrowserSession.Demo(timeScale: 0.05));

    public void Dispose() => Server.Dispose();
}

/// <summary>The demo at real time (an iteration takes 10–30 s): long enough to act on a live run.</summary>
public sealed class RealTimeDemoApp : IDisposable
{
    public TestApp Server { get; } = new(BrowserSession.Demo(timeScale: 1));

    public void Dispose() => Server.Dispose();
}

/// <summary>The fast demo with the Content-Security-Policy removed, so only the sanitizer stands between text and script.</summary>
public sealed class NoCspDemoApp : IDisposable
{
    public TestApp Server { get; } = new(new Dictionary<string, string?>(BrowserSession.Demo(timeScale: 0.05))
    {
        ["Dashboard:Security:DisableCsp"] = "true",
    });

    public void Dispose() => Server.Dispose();
}
