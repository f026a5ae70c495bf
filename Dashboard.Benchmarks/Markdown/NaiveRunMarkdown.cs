using Dashboard.Components.Controls;
using Dashboard.Domain;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Components.Server;

namespace Dashboard.Benchmarks.Markdown;

/// <summary>
/// Benchmark-only: the naive way to show a streaming answer — the whole text converted (same
/// Markdig + sanitizer pipeline) and sent again on every render, at the same render cap as the app
/// (it is a <see cref="LiveComponentBase"/>). Mounted from JavaScript into a page of the app; it is
/// never part of the shipped UI.
/// </summary>
public sealed class NaiveRunMarkdown : LiveComponentBase
{
    public const string JavaScriptName = "bench-naive-markdown";

    private string _html = "";

    [Inject]
    private Dashboard.Markdown.MarkdownHtml MarkdownHtml { get; set; } = null!;

    [Parameter]
    public string RunId { get; set; } = "";

    public static void Register(IServiceCollection services) =>
        services.Configure<CircuitOptions>(o => o.RootComponents.RegisterForJavaScript<NaiveRunMarkdown>(JavaScriptName));

    protected override bool Accepts(DashboardEvent e) => e is RunTextReceived t && t.RunId == RunId;

    protected override void OnParametersSet() => Convert();

    protected override void OnLiveUpdate() => Convert();

    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.OpenElement(0, "div");
        builder.AddAttribute(1, "class", "md-body naive");
        builder.AddMarkupContent(2, _html);
        builder.CloseElement();
    }

    private void Convert() => _html = State.GetRun(RunId) is { } run ? MarkdownHtml.ToHtml(run.Text.ToString()) : "";
}
