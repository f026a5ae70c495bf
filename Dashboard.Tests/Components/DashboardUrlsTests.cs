using System.Reflection;
using Dashboard.Components;
using Microsoft.AspNetCore.Components;

namespace Dashboard.Tests.Components;

public sealed class DashboardUrlsTests
{
    [Fact]
    public void Values_from_outside_are_escaped_once()
    {
        Assert.Equal("runs/a%2Fb%3Fc%23d", DashboardUrls.Run("a/b?c#d"));
        Assert.Equal("runs/new?parent=a%20b%26x%3D1", DashboardUrls.Iterate("a b&x=1"));
        Assert.Equal("runs/new?again=r%25", DashboardUrls.RunAgain("r%"));
        Assert.Equal("runs?backend=my%20backend", DashboardUrls.RunsOf("my backend"));
    }

    [Fact]
    public void Every_page_takes_its_route_from_the_one_class()
    {
        var templates = typeof(DashboardUrls.Templates).GetFields().Select(f => (string)f.GetRawConstantValue()!).ToHashSet();
        var routes = typeof(Program).Assembly.GetTypes()
            .SelectMany(t => t.GetCustomAttributes<RouteAttribute>().Select(r => (Page: t.Name, r.Template)))
            .ToList();

        Assert.NotEmpty(routes);
        Assert.All(routes, r => Assert.Contains(r.Template, templates));
    }

    [Fact]
    public void No_page_offers_static_helpers_to_other_pages()
    {
        var pages = typeof(Program).Assembly.GetTypes().Where(t => t.Namespace == "Dashboard.Components.Pages" && t.IsAssignableTo(typeof(IComponent)));
        var shared = pages.SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
                .Where(m => (m.IsPublic || m.IsAssembly) && !m.IsSpecialName)
                .Select(m => $"{t.Name}.{m.Name}"))
            .ToList();

        Assert.Empty(shared);
    }
}
