using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Dashboard.Benchmarks.Infrastructure;

namespace Dashboard.Benchmarks.LiveApi;

/// <summary>
/// The fan-out's subscribers in a process of their own (this benchmark program started again as
/// <c>live-fanout-clients</c>), so the server's CPU is measured alone and the clients do not starve
/// it inside one runtime. Lines on its standard output: <c>subscribed</c> once all are in, then
/// <c>result {json}</c> after it read <c>published</c> on its standard input and the ticks arrived.
/// </summary>
public sealed class LiveClientProcess : IAsyncDisposable
{
    private const string Subscribed = "subscribed";
    private const string ResultPrefix = "result ";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private readonly Process _process;

    private LiveClientProcess(Process process)
    {
        _process = process;
    }

    /// <summary>The child's entry point: <c>live-fanout-clients --url U --subscribers N --total T [--protocol messagepack] [--stateful off]</c>.</summary>
    public static async Task<int> ServeAsync(HarnessArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var url = new Uri(args.Value("url") ?? throw new ArgumentException("--url is required"));
        var messagePack = string.Equals(args.Value("protocol"), "messagepack", StringComparison.OrdinalIgnoreCase);
        await using var subscribers = await LiveSubscribers.ConnectAsync(url, args.Int("subscribers", 200), args.Long("total", 30_000), messagePack, args.Value("stateful") != "off", CancellationToken.None);
        var cpuBefore = ProcessMeter.CpuTime;
        Console.WriteLine(Subscribed);
        await Console.In.ReadLineAsync();
        await subscribers.WaitAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
        var figures = subscribers.Figures((ProcessMeter.CpuTime - cpuBefore).TotalSeconds);
        Console.WriteLine(ResultPrefix + JsonSerializer.Serialize(figures, Json));
        return 0;
    }

    /// <summary>Starts the clients' process; returns once all its subscribers are subscribed.</summary>
    public static async Task<LiveClientProcess> StartAsync(Uri baseUri, int subscribers, long total, bool messagePack, bool stateful)
    {
        ArgumentNullException.ThrowIfNull(baseUri);
        var assembly = typeof(LiveClientProcess).Assembly.Location;
        var appHost = Path.ChangeExtension(assembly, null);
        var info = new ProcessStartInfo(File.Exists(appHost) ? appHost : "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (!File.Exists(appHost))
        {
            info.ArgumentList.Add(assembly);
        }

        foreach (var argument in new[] { "live-fanout-clients", "--url", baseUri.ToString(), "--subscribers", subscribers.ToString(System.Globalization.CultureInfo.InvariantCulture), "--total", total.ToString(System.Globalization.CultureInfo.InvariantCulture), "--protocol", messagePack ? "messagepack" : "json", "--stateful", stateful ? "on" : "off" })
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("the clients' process did not start");
        var child = new LiveClientProcess(process);
        if (await child.LineAsync(l => l == Subscribed) is null)
        {
            await child.DisposeAsync();
            throw new InvalidOperationException($"the clients' process exited ({process.ExitCode}) before its subscribers were in");
        }

        return child;
    }

    public int ProcessId => _process.Id;

    /// <summary>Tells the clients the last tick is out and waits for their figures (they wait at most 60 s for the ticks).</summary>
    public async Task<LiveClientFigures> ResultAsync()
    {
        await _process.StandardInput.WriteLineAsync("published");
        await _process.StandardInput.FlushAsync();
        var line = await LineAsync(l => l.StartsWith(ResultPrefix, StringComparison.Ordinal))
            ?? throw new InvalidOperationException("the clients' process exited without figures");
        return JsonSerializer.Deserialize<LiveClientFigures>(line[ResultPrefix.Length..], Json)
            ?? throw new InvalidOperationException("the clients' process sent empty figures");
    }

    private async Task<string?> LineAsync(Func<string, bool> wanted)
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (wanted(line))
            {
                return line;
            }
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        _process.StandardInput.Close();
        using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await _process.WaitForExitAsync(exit.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
