using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Dashboard.Benchmarks.ScaleOut;

/// <summary>
/// A replica as its own process (<c>dotnet Dashboard.dll</c>, Production), so it can die as a
/// machine does: <see cref="Kill"/> is SIGKILL, no shutdown code runs and its leases stay in Redis
/// until they expire.
/// </summary>
internal sealed partial class ReplicaProcess : IDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource<string> _baseUrl = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _output = new();

    private ReplicaProcess(Process process) => _process = process;

    public static ReplicaProcess Start(IEnumerable<string> arguments)
    {
        var (dll, root) = Locate();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = root,
        };
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in new[] { "DOTNET_ENVIRONMENT", "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "OTEL_EXPORTER_OTLP_ENDPOINT" })
        {
            start.Environment.Remove(name);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var replica = new ReplicaProcess(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not { } line)
            {
                return;
            }

            replica.Keep(line);
            if (SignInLine().Match(line) is { Success: true } match)
            {
                replica._baseUrl.TrySetResult(new Uri(match.Groups["url"].Value).GetLeftPart(UriPartial.Authority));
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                replica.Keep(line);
            }
        };
        process.Exited += (_, _) => replica._baseUrl.TrySetException(new InvalidOperationException("The replica exited before it printed its sign-in link."));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return replica;
    }

    /// <summary>Its last lines of output (for a failure's message).</summary>
    public string Tail() => string.Join('\n', _output);

    private void Keep(string line)
    {
        _output.Enqueue(line);
        while (_output.Count > 200)
        {
            _output.TryDequeue(out _);
        }
    }

    /// <summary>Its root address, once it listens (from the sign-in link it prints).</summary>
    public Task<string> BaseUrlAsync(TimeSpan timeout) => _baseUrl.Task.WaitAsync(timeout);

    /// <summary>SIGKILL (what <see cref="Process.Kill()"/> sends on Linux), then waits for the process to be gone.</summary>
    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit(10_000);
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }

        _process.Dispose();
    }

    /// <summary>The built app beside the repository's solution (as the tests run it), else the copy beside this program.</summary>
    private static (string Dll, string Root) Locate()
    {
#if DEBUG
        const string configuration = "Debug";
#else
        const string configuration = "Release";
#endif
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var built = Path.Combine(folder.FullName, "Dashboard", "bin", configuration, "net10.0", "Dashboard.dll");
            if (File.Exists(Path.Combine(folder.FullName, "Dashboard.sln")) && File.Exists(built))
            {
                return (built, folder.FullName);
            }
        }

        return (Path.Combine(AppContext.BaseDirectory, "Dashboard.dll"), AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^Dashboard sign-in: (?<url>\S+)$")]
    private static partial Regex SignInLine();
}
