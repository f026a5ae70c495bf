using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Dashboard.Configuration;
using Microsoft.Extensions.Options;

namespace Dashboard.Security;

/// <summary>
/// Failed sign-ins and failed bearer checks per client address, with the rate limiter ASP.NET
/// Core's own middleware uses (System.Threading.RateLimiting): each failure takes a permit; a
/// client with none left is answered 429 with <c>Retry-After</c> before its token is even looked
/// at, so a guess during the lock-out learns nothing.
/// </summary>
public sealed class FailedAuthLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;
    private readonly TimeSpan _window;

    public FailedAuthLimiter(IOptions<DashboardOptions> options)
    {
        var auth = options.Value.Auth;
        _window = auth.FailedAuthWindow > TimeSpan.Zero ? auth.FailedAuthWindow : TimeSpan.FromMinutes(1);
        var permits = Math.Max(1, auth.FailedAuthLimit);
        _limiter = PartitionedRateLimiter.Create<string, string>(client => RateLimitPartition.GetSlidingWindowLimiter(client, _ =>
            new SlidingWindowRateLimiterOptions
            {
                PermitLimit = permits,
                Window = _window,
                SegmentsPerWindow = 6,
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
    }

    /// <summary>Null while <paramref name="context"/>'s client may still try; else how long it must wait.</summary>
    public TimeSpan? Blocked(HttpContext context)
    {
        using var lease = _limiter.AttemptAcquire(ClientKey(context), 0);
        return lease.IsAcquired ? null : RetryAfter(lease);
    }

    /// <summary>Counts a failure of <paramref name="context"/>'s client.</summary>
    public void Failed(HttpContext context)
    {
        using var lease = _limiter.AttemptAcquire(ClientKey(context), 1);
    }

    /// <summary>Answers 429 with <c>Retry-After</c> (whole seconds, at least 1).</summary>
    public static void WriteTooMany(HttpContext context, TimeSpan retryAfter)
    {
        BearerTokenHandler.SuppressStatusCodePage(context);
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = RetryAfterSeconds(retryAfter);
    }

    public static string RetryAfterSeconds(TimeSpan wait) =>
        Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    public void Dispose() => _limiter.Dispose();

    private TimeSpan RetryAfter(RateLimitLease lease) =>
        lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) && wait > TimeSpan.Zero ? wait : _window;

    private static string ClientKey(HttpContext context)
    {
        var remote = context.Connection.RemoteIpAddress;
        if (remote is null)
        {
            return "local";
        }

        if (remote.IsIPv4MappedToIPv6)
        {
            remote = remote.MapToIPv4();
        }

        // A whole IPv6 /64 is one client: one host usually holds the lot.
        if (remote.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            var bytes = remote.GetAddressBytes();
            Array.Clear(bytes, 8, 8);
            remote = new IPAddress(bytes);
        }

        return remote.ToString();
    }
}
