using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Dashboard.Demo;

/// <summary>
/// Composes the demo's answers: Markdown with headings, lists, a table and a code fence, with
/// the prompt reflected in it, varied by the run's <see cref="Random"/>.
/// </summary>
public static partial class DemoMarkdown
{
    private static readonly string[] Steps =
    [
        "Add a `schemas` module with the request and response models",
        "Validate input at the boundary and return `422` with field errors",
        "Move the data access behind a small repository class",
        "Cover the happy path and two failure cases with tests",
        "Register the new router in `main.py`",
        "Add an index on the column the new query filters by",
        "Log one structured line per request with its duration",
        "Document the endpoint in the OpenAPI description",
    ];

    private static readonly string[] Notes =
    [
        "Existing endpoints keep their contracts.",
        "The migration is additive and safe to run twice.",
        "Errors never leak stack traces to clients.",
        "Timeouts are explicit on every outbound call.",
        "Secrets come from the environment, not from the code.",
        "The change is behind no feature flag; it is small enough to review at once.",
    ];

    private static readonly (string File, string Change)[] Files =
    [
        ("app/main.py", "register router"),
        ("app/schemas.py", "new models"),
        ("app/repository.py", "query helpers"),
        ("app/routes/items.py", "new endpoint"),
        ("tests/test_items.py", "new tests"),
        ("alembic/versions/0042_index.py", "add index"),
    ];

    public static string Compose(string prompt, Random random)
    {
        var topic = Topic(prompt);
        var name = Identifier(prompt);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"## {Pick(random, "Plan", "Proposal", "Approach")}: {topic}\n\n");
        text.Append(CultureInfo.InvariantCulture, $"> {topic}\n\n");
        text.Append(CultureInfo.InvariantCulture,
            $"Here is how I would handle this request in {random.Next(3, 6)} small steps, keeping the existing behaviour intact.\n\n");

        text.Append("### Steps\n\n");
        var steps = Shuffle(Steps, random).Take(random.Next(3, 6)).ToArray();
        for (var i = 0; i < steps.Length; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{i + 1}. {steps[i]}\n");
        }

        text.Append("\n### Files\n\n| File | Change | Lines |\n|---|---|---:|\n");
        foreach (var (file, change) in Shuffle(Files, random).Take(random.Next(2, 5)))
        {
            text.Append(CultureInfo.InvariantCulture, $"| `{file}` | {change} | {random.Next(4, 120)} |\n");
        }

        text.Append("\n### Code\n\n");
        text.Append(Code(name, random));

        text.Append("\n### Notes\n\n");
        foreach (var note in Shuffle(Notes, random).Take(random.Next(2, 4)))
        {
            text.Append(CultureInfo.InvariantCulture, $"- {note}\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"\n**Done:** `{name}` is ready for review.\n");
        return text.ToString();
    }

    /// <summary>Splits text into token-sized pieces (a word with its leading whitespace), as an LLM streams it.</summary>
    public static IReadOnlyList<string> Tokenize(string text) =>
        TokenPattern().Matches(text).Select(m => m.Value).ToArray();

    private static string Code(string name, Random random) => random.Next(3) switch
    {
        0 => $"```python\nfrom fastapi import APIRouter, HTTPException\n\nrouter = APIRouter()\n\n\n@router.post(\"/{name}\")\nasync def {name}(payload: dict) -> dict:\n    if not payload:\n        raise HTTPException(status_code=422, detail=\"empty payload\")\n    return {{\"status\": \"ok\", \"items\": {random.Next(1, 9)}}}\n```\n",
        1 => $"```csharp\npublic sealed record {Pascal(name)}Request(string Name, int Count);\n\napp.MapPost(\"/{name}\", ({Pascal(name)}Request request) =>\n    request.Count > {random.Next(1, 9)} ? Results.Ok(request) : Results.ValidationProblem(new Dictionary<string, string[]>()));\n```\n",
        _ => $"```typescript\nexport async function {Camel(name)}(input: string): Promise<string[]> {{\n  const response = await fetch(`/api/{name}?q=${{encodeURIComponent(input)}}`);\n  if (!response.ok) throw new Error(`HTTP ${{response.status}}`);\n  return (await response.json()).slice(0, {random.Next(5, 50)});\n}}\n```\n",
    };

    private static string Topic(string prompt)
    {
        var line = prompt.ReplaceLineEndings(" ").Trim();
        return line.Length <= 120 ? line : line[..117] + "...";
    }

    private static string Identifier(string prompt)
    {
        var words = WordPattern().Matches(prompt).Select(m => m.Value.ToLowerInvariant()).Take(3).ToArray();
        return words.Length == 0 ? "feature" : string.Join('_', words);
    }

    private static string Pascal(string snake) =>
        string.Concat(snake.Split('_').Select(w => char.ToUpperInvariant(w[0]) + w[1..]));

    private static string Camel(string snake)
    {
        var pascal = Pascal(snake);
        return char.ToLowerInvariant(pascal[0]) + pascal[1..];
    }

    private static string Pick(Random random, params string[] options) => options[random.Next(options.Length)];

    private static T[] Shuffle<T>(T[] items, Random random)
    {
        var copy = (T[])items.Clone();
        random.Shuffle(copy);
        return copy;
    }

    [GeneratedRegex(@"\s*\S+|\s+")]
    private static partial Regex TokenPattern();

    [GeneratedRegex("[A-Za-z]{3,}")]
    private static partial Regex WordPattern();
}
