using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Dashboard.Demo;

/// <summary>
/// Composes the demo's answers: Markdown with headings, lists, a table and a code fence that fit
/// the prompt: its subject names the code, files and steps, and a language or framework it names
/// (FastAPI, C#, TypeScript…) is the language of the code. Varied by the run's <see cref="Random"/>,
/// so the same seed gives the same answer.
/// </summary>
public static partial class DemoMarkdown
{
    public const string Python = "python";
    public const string CSharp = "csharp";
    public const string TypeScript = "typescript";

    private static readonly string[] Languages = [Python, CSharp, TypeScript];

    // Words that name a language or framework, in the order they are looked for.
    private static readonly (string Language, Regex[] Cues)[] LanguageCues =
    [
        (Python, Cues("fastapi", "python", "django", "flask", "pydantic", "sqlalchemy", "pytest", "uvicorn")),
        (CSharp, Cues("c#", "csharp", ".net", "dotnet", "asp.net", "blazor", "ef core", "xunit")),
        (TypeScript, Cues("typescript", "javascript", "react", "node", "express", "next.js", "angular", "vue", "deno")),
    ];

    // Words that say what to do or what kind of thing, not what it is about.
    private static readonly HashSet<string> NotSubject = new(StringComparer.OrdinalIgnoreCase)
    {
        "build", "create", "add", "make", "write", "implement", "generate", "please", "want", "need", "should", "could", "would",
        "app", "application", "api", "apis", "service", "services", "endpoint", "endpoints", "server", "backend", "frontend",
        "simple", "small", "new", "using", "use", "with", "for", "that", "the", "and", "from", "into", "our", "this", "your",
        "can", "will", "let", "lets", "some", "basic", "rest", "restful", "crud", "web", "code", "project", "support", "which",
        "all", "any", "each", "every", "how", "what", "when", "where", "there", "their", "them", "has", "have", "are", "was",
        "were", "been", "being", "its", "also", "just", "only", "then", "than", "about", "over", "under", "between", "within",
        "sql", "sqlite", "postgres", "mongo", "database", "db",
    };

    private static readonly string[] Steps =
    [
        "Add the `{Pascal}` request and response models",
        "Validate {title} input at the boundary and return `422` with field errors",
        "Move the {title} data access behind a small repository class",
        "Cover the {title} happy path and two failure cases with tests",
        "Register the new {title} routes in `{entry}`",
        "Add an index on the column the {title} query filters by",
        "Log one structured line per {title} request with its duration",
        "Document the {title} endpoints in the OpenAPI description",
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

    /// <param name="totalFiles">How many files the change touches in all (the upstream's own count); the table lists some and says so. Null: the table is the whole list.</param>
    /// <param name="defaultLanguage">The code's language when the prompt names none; null: the run's random picks one.</param>
    public static string Compose(string prompt, Random random, int? totalFiles = null, string? defaultLanguage = null)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(random);
        var topic = Topic(prompt);
        var subject = Subject(prompt);
        var language = LanguageOf(prompt) ?? defaultLanguage ?? Languages[random.Next(Languages.Length)];
        var title = subject.Replace('_', ' ');
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"## {Pick(random, "Plan", "Proposal", "Approach")}: {topic}\n\n");
        text.Append(CultureInfo.InvariantCulture, $"> {topic}\n\n");
        text.Append(CultureInfo.InvariantCulture,
            $"Here is how I would build the {title} part in {LanguageName(language)}, in {random.Next(3, 6)} small steps, keeping the existing behaviour intact.\n\n");

        text.Append("### Steps\n\n");
        var steps = Shuffle(Steps, random).Take(random.Next(3, 6)).ToArray();
        for (var i = 0; i < steps.Length; i++)
        {
            var step = steps[i].Replace("{Pascal}", Pascal(subject), StringComparison.Ordinal)
                .Replace("{title}", title, StringComparison.Ordinal)
                .Replace("{entry}", EntryFile(language), StringComparison.Ordinal);
            text.Append(CultureInfo.InvariantCulture, $"{i + 1}. {step}\n");
        }

        var files = Shuffle(Files(language, subject), random);
        var listed = Math.Min(files.Length, Math.Min(random.Next(2, 5), totalFiles ?? int.MaxValue));
        text.Append("\n### Files\n\n| File | Change | Lines |\n|---|---|---:|\n");
        foreach (var (file, change) in files.Take(listed))
        {
            text.Append(CultureInfo.InvariantCulture, $"| `{file}` | {change} | {random.Next(4, 120)} |\n");
        }

        if (totalFiles is { } total && total > listed)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n_{listed} of {total} files shown._\n");
        }

        text.Append("\n### Code\n\n");
        text.Append(Code(language, subject, random));

        text.Append("\n### Notes\n\n");
        foreach (var note in Shuffle(Notes, random).Take(random.Next(2, 4)))
        {
            text.Append(CultureInfo.InvariantCulture, $"- {note}\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"\n**Done:** `{subject}` is ready for review.\n");
        return text.ToString();
    }

    /// <summary>Splits text into token-sized pieces (a word with its leading whitespace), as an LLM streams it.</summary>
    public static IReadOnlyList<string> Tokenize(string text) =>
        TokenPattern().Matches(text).Select(m => m.Value).ToArray();

    /// <summary>The language or framework the prompt names (the first one found, by language), or null.</summary>
    public static string? LanguageOf(string prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        foreach (var (language, cues) in LanguageCues)
        {
            if (cues.Any(c => c.IsMatch(prompt)))
            {
                return language;
            }
        }

        return null;
    }

    /// <summary>What the prompt is about, as a snake_case name: its first two words that are neither verbs of asking nor kinds of software.</summary>
    public static string Subject(string prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var words = WordPattern().Matches(prompt)
            .Select(m => m.Value.ToLowerInvariant())
            .Where(w => !NotSubject.Contains(w) && LanguageOf(w) is null)
            .Distinct(StringComparer.Ordinal)
            .Take(2)
            .ToArray();
        return words.Length == 0 ? "feature" : string.Join('_', words);
    }

    // A cue is a whole word: "node" in "nodes" or ".net" in "dotnet.exe" is not one.
    private static Regex[] Cues(params string[] cues) =>
        [.. cues.Select(c => new Regex($@"(?<![\w.#]){Regex.Escape(c)}(?![\w#])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)))];

    private static string LanguageName(string language) => language switch
    {
        Python => "Python (FastAPI)",
        CSharp => "C# (ASP.NET Core)",
        _ => "TypeScript",
    };

    private static string EntryFile(string language) => language switch
    {
        Python => "app/main.py",
        CSharp => "Program.cs",
        _ => "src/index.ts",
    };

    private static (string File, string Change)[] Files(string language, string name) => language switch
    {
        Python =>
        [
            ("app/main.py", "register router"),
            ($"app/schemas/{name}.py", "new models"),
            ($"app/repository/{name}.py", "query helpers"),
            ($"app/routes/{name}.py", "new endpoint"),
            ($"tests/test_{name}.py", "new tests"),
            ($"alembic/versions/0042_{name}_index.py", "add index"),
        ],
        CSharp =>
        [
            ("Program.cs", "map endpoints"),
            ($"Models/{Pascal(name)}.cs", "new models"),
            ($"Data/{Pascal(name)}Repository.cs", "query helpers"),
            ($"Endpoints/{Pascal(name)}Endpoints.cs", "new endpoint"),
            ($"Tests/{Pascal(name)}Tests.cs", "new tests"),
        ],
        _ =>
        [
            ("src/index.ts", "register routes"),
            ($"src/models/{Camel(name)}.ts", "new types"),
            ($"src/api/{Camel(name)}.ts", "fetch helpers"),
            ($"src/routes/{Camel(name)}.ts", "new endpoint"),
            ($"test/{Camel(name)}.test.ts", "new tests"),
        ],
    };

    private static string Code(string language, string name, Random random) => language switch
    {
        Python => $"```python\nfrom fastapi import APIRouter, HTTPException\nfrom pydantic import BaseModel\n\nrouter = APIRouter(prefix=\"/{name}\")\n\n\nclass {Pascal(name)}(BaseModel):\n    name: str\n    count: int = 0\n\n\n@router.post(\"/\")\nasync def create_{name}(payload: {Pascal(name)}) -> dict:\n    if payload.count > {random.Next(10, 99)}:\n        raise HTTPException(status_code=422, detail=\"count too large\")\n    return {{\"status\": \"ok\", \"{name}\": payload.name}}\n```\n",
        CSharp => $"```csharp\npublic sealed record {Pascal(name)}Request(string Name, int Count);\n\napp.MapPost(\"/{name}\", ({Pascal(name)}Request request) =>\n    request.Count > {random.Next(1, 9)} ? Results.Ok(request) : Results.ValidationProblem(new Dictionary<string, string[]>()));\n```\n",
        _ => $"```typescript\nexport async function {Camel(name)}(input: string): Promise<string[]> {{\n  const response = await fetch(`/api/{name}?q=${{encodeURIComponent(input)}}`);\n  if (!response.ok) throw new Error(`HTTP ${{response.status}}`);\n  return (await response.json()).slice(0, {random.Next(5, 50)});\n}}\n```\n",
    };

    private static string Topic(string prompt)
    {
        var line = prompt.ReplaceLineEndings(" ").Trim();
        return line.Length <= 120 ? line : line[..117] + "...";
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
