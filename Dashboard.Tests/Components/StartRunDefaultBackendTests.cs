using Bunit;
using Dashboard.Backends;
using Dashboard.Components.Pages;
using Dashboard.Domain;
using Dashboard.Runs;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Components;

/// <summary>Which backend the form starts with when the address names none.</summary>
public sealed class StartRunDefaultBackendTests : LiveTestContext
{
    private void Backends(params RunBackend[] backends) =>
        Services.AddSingleton<IRunLauncher>(sp => new TestRunLauncher(sp.GetRequiredService<Dashboard.Events.IEventHub>(), Time, backends, _ => []));

    // The code-generation kind is the one that iterates (as its real kind declares).
    private static RunBackend Backend(string name, string kind, bool demo = false) =>
        new(name, kind, demo, [], kind == "codegen" ? BackendCapabilities.Runs | BackendCapabilities.Iterations : BackendCapabilities.Runs);

    private string Selected() => Render<StartRun>().Find("#field-backend").GetAttribute("value")!;

    [Fact]
    public void Without_a_query_the_code_generation_backend_is_chosen_even_when_listed_later()
    {
        Backends(Backend("chat", "openai-chat"), Backend("tests", "testgen"), Backend("gen", "codegen"), Backend("gen-2", "codegen"));

        Assert.Equal("gen", Selected());
    }

    [Fact]
    public void A_real_code_generation_backend_comes_before_a_demo_one()
    {
        Backends(Backend("demo-gen", "codegen", demo: true), Backend("chat", "openai-chat"), Backend("gen", "codegen"));

        Assert.Equal("gen", Selected());
    }

    [Fact]
    public void Without_a_code_generation_backend_the_first_one_is_chosen()
    {
        Backends(Backend("claude", "anthropic", demo: true), Backend("chat", "openai-chat"));

        Assert.Equal("claude", Selected());
    }

    [Fact]
    public void A_parent_in_the_query_still_chooses_the_parents_backend()
    {
        Backends(Backend("gen", "codegen"), Backend("chat", "openai-chat"));
        Publish(
            new RunCreated { Backend = "chat", At = T0, RunId = "p1", Prompt = "Explain the code" },
            new RunEnded { Backend = "chat", At = T0, RunId = "p1", Status = RunStatus.Completed });
        Services.GetRequiredService<NavigationManager>().NavigateTo("runs/new?parent=p1");

        var cut = Render<StartRun>();

        Assert.Equal("chat", cut.Find("#field-backend").GetAttribute("value"));
        Assert.Equal("p1", cut.Find("#field-parent").GetAttribute("value"));
    }
}
