using Dashboard.Components.Controls;
using Dashboard.Domain;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Benchmarks.Markdown;

/// <summary>
/// Benchmark-only breakdown arm: the app's own <see cref="StreamingMarkdown"/> control alone,
/// driven at the app's render cap, without the rest of the run page (timeline, stats, layout
/// updates). Mounted from JavaScript like <see cref="NaiveRunMarkdown"/>.
/// </summary>
public sealed class ControlOnlyRunMarkdown : LiveComponentBase
{
    public const string JavaScriptName = "bench-control-only-markdown";

    private Dashboard.State.TextBuffer? _buffer;

    [Parameter]
    public string RunId { get; set; } = "";

    public static void Register(IServiceCollection services) =>
        services.Configure<CircuitOptions>(o => o.RootComponents.RegisterForJavaScript<ControlOnlyRunMarkdown>(JavaScriptName));

    protected override bool Accepts(DashboardEvent e) => e is RunTextReceived t && t.RunId == RunId;

    protected override void OnParametersSet() => _buffer = State.GetRun(RunId)?.Text;

    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (_buffer is null)
        {
            return;
        }

        builder.OpenComponent<StreamingMarkdown>(0);
        builder.AddComponentParameter(1, nameof(StreamingMarkdown.Buffer), _buffer);
        builder.CloseComponent();
    }
}
