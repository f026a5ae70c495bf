using System.Net;

namespace Dashboard.Demo;

/// <summary>The demo upstreams answer only this machine: anyone else gets 403.</summary>
public sealed class LoopbackOnlyFilter : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        IsLoopback(context.HttpContext.Connection.RemoteIpAddress)
            ? next(context)
            : ValueTask.FromResult<object?>(FastApiErrors.Detail(StatusCodes.Status403Forbidden, "The demo answers loopback clients only"));

    public static bool IsLoopback(IPAddress? address)
    {
        if (address is null)
        {
            return false;
        }

        return IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
    }
}
