using Dashboard.Demo.CodeDreamer;
using Dashboard.Demo.Codegen;
using Dashboard.Demo.OpenAi;

namespace Dashboard.Demo;

public static class DemoEndpoints
{
    public const string Prefix = "/demo";

    /// <summary>
    /// Maps the demo upstreams under <c>/demo</c> (loopback clients only) when <see cref="DemoServiceCollectionExtensions.AddDemo"/>
    /// enabled the demo; otherwise the returned group is empty.
    /// </summary>
    public static RouteGroupBuilder MapDemo(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup(Prefix);
        if (endpoints.ServiceProvider.GetService<DemoRuntime>() is null)
        {
            return group;
        }

        group.AddEndpointFilter<LoopbackOnlyFilter>().ExcludeFromDescription();
        CodeDreamerEndpoints.Map(group.MapGroup("/codedreamer"));
        CodegenEndpoints.Map(group.MapGroup("/codegen"));
        OpenAiEndpoints.Map(group.MapGroup("/openai/v1"));
        return group;
    }
}
