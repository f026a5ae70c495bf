using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace Dashboard.Tests.TestSupport;

/// <summary>
/// The app as its own process, the way an operator runs it: <c>dotnet Dashboard.dll</c> from the
/// build output, no launch profile, the environment and arguments a test gives. Standard output
/// and error are kept line by line; disposing kills a process still running.
/// </summary>
internal sealed partial class AppProcess : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _out = new();
    private readonly ConcurrentQueue<string> _err = new();
    private readonly TaskCompletionSource<Uri> _signInLink = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _outClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _errClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private AppProcess(Process process) => _process = process;

    /// <summary>The built app: Dashboard/bin/&lt;configuration of this test build&gt;/net10.0/Dashboard.dll.</summary>
    public static string DllPath { get; } = FindDll();

    public IReadOnlyList<string> Out => [.. _out];

    public IReadOnlyList<string> Err => [.. _err];

    public int Id => _process.Id;

    /// <param name="environment">ASPNETCORE_ENVIRONMENT; null leaves it unset.</param>
    /// <param name="workingDirectory">Where it is started from (the repository root unless given).</param>
    public static AppProcess Start(string? environment, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? variables = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? RepositoryRoot(),
        };
        start.ArgumentList.Add(DllPath);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The test runner's own environment must not decide for the app.
        foreach (var name in new[] { "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT", "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "OTEL_EXPORTER_OTLP_ENDPOINT" })
        {
            start.Environment.Remove(name);
        }

        if (environment is not null)
        {
            start.Environment["ASPNETCORE_ENVIRONMENT"] = environment;
        }

        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in variables ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var app = new AppProcess(process);
        process.OutputDataReceived += (_, e) => app.OnOut(e.Data);
        process.ErrorDataReceived += (_, e) => app.OnErr(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return app;
    }

    /// <summary>The sign-in link the app printed (it names the address it really listens on).</summary>
    public async Task<Uri> SignInLinkAsync()
    {
        var exited = _process.WaitForExitAsync();
        var first = await Task.WhenAny(_signInLink.Task, exited).WaitAsync(Patience);
        if (first != _signInLink.Task)
        {
            throw new InvalidOperationException($"The app exited ({_process.ExitCode}) before printing a sign-in link.\n{Transcript()}");
        }

        return await _signInLink.Task;
    }

    /// <summary>Root address (no trailing slash) from the sign-in link.</summary>
    public async Task<string> BaseUrlAsync() => (await SignInLinkAsync()).GetLeftPart(UriPartial.Authority);

    /// <summary>Waits (bounded) for the process to exit and its output to be read; returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout ?? Patience);
        await Task.WhenAll(_outClosed.Task, _errClosed.Task).WaitAsync(Patience);
        return _process.ExitCode;
    }

    /// <summary>What a service manager sends to stop a service.</summary>
    public void SendSigterm()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -TERM {_process.Id} exited {kill.ExitCode}");
        }
    }

    /// <summary>A crash as hard as it gets: <c>kill -9</c>, no shutdown code runs.</summary>
    public void SendSigkill()
    {
        using var kill = Process.Start("kill", ["-KILL", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -KILL {_process.Id} exited {kill.ExitCode}");
        }
    }

    public string Transcript() => "--- stdout\n" + string.Join('\n', _out) + "\n--- stderr\n" + string.Join('\n', _err);

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }

        _process.Dispose();
    }

    private void OnOut(string? line)
    {
        if (line is null)
        {
            _outClosed.TrySetResult();
            return;
        }

        _out.Enqueue(line);
        if (SignInLine().Match(line) is { Success: true } match)
        {
            _signInLink.TrySetResult(new Uri(match.Groups["url"].Value));
        }
    }

    private void OnErr(string? line)
    {
        if (line is null)
        {
            _errClosed.TrySetResult();
            return;
        }

        _err.Enqueue(line);
    }

    private static string FindDll()
    {
#if DEBUG
        const string configuration = "Debug";
#else
        const string configuration = "Release";
#endif
        var path = Path.Combine(RepositoryRoot(), "Dashboard", "bin", configuration, "net10.0", "Dashboard.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"Build the solution ({configuration}) first: {path} is missing.", path);
    }

    public static string RepositoryRoot([CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", ".."));

    [GeneratedRegex(@"^Dashboard sign-in: (?<url>\S+)$")]
    private static partial Regex SignInLine();
}
