using System.Text.RegularExpressions;
using Dashboard.Demo;

namespace Dashboard.Tests.Demo;

/// <summary>The demo's answers fit the prompt: its subject names the code and files, a named stack picks the language, file counts agree.</summary>
public sealed partial class DemoMarkdownTests
{
    private static string Fence(string answer) => FencePattern().Match(answer).Groups[1].Value;

    [Theory]
    [InlineData("Build a FastAPI service for todos", "python")]
    [InlineData("Write a Django view that lists invoices", "python")]
    [InlineData("Create an ASP.NET Core endpoint for invoices in C#", "csharp")]
    [InlineData("Add a .NET minimal API for orders", "csharp")]
    [InlineData("A React hook that loads the user's orders", "typescript")]
    [InlineData("Node express route for payments", "typescript")]
    public void A_named_stack_is_the_language_of_the_code_whatever_the_seed(string prompt, string language)
    {
        for (var seed = 0; seed < 20; seed++)
        {
            Assert.Equal(language, Fence(DemoMarkdown.Compose(prompt, new Random(seed))));
        }
    }

    [Fact]
    public void Without_a_named_stack_the_default_language_is_used()
    {
        for (var seed = 0; seed < 20; seed++)
        {
            Assert.Equal("python", Fence(DemoMarkdown.Compose("Add a due date to todos", new Random(seed), defaultLanguage: DemoMarkdown.Python)));
        }
    }

    [Theory]
    [InlineData("Build a FastAPI service for todos", "todos")]
    [InlineData("Add a due date to todos", "due_date")]
    [InlineData("Create an API endpoint", "feature")]
    [InlineData("Please implement invoices export with React", "invoices_export")]
    public void The_subject_is_what_the_prompt_is_about(string prompt, string subject) =>
        Assert.Equal(subject, DemoMarkdown.Subject(prompt));

    [Fact]
    public void The_subject_names_the_code_the_files_and_the_steps()
    {
        var answer = DemoMarkdown.Compose("Build a FastAPI service for todos", new Random(7));

        Assert.Contains("@router.post", answer, StringComparison.Ordinal);
        Assert.Contains("class Todos(BaseModel)", answer, StringComparison.Ordinal);
        Assert.Contains("todos", FilesTable(answer), StringComparison.Ordinal);
        Assert.Contains("**Done:** `todos`", answer, StringComparison.Ordinal);
        Assert.DoesNotContain("```typescript", answer, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_count_above_the_listed_rows_says_how_many_are_shown()
    {
        var answer = DemoMarkdown.Compose("Build a FastAPI service for todos", new Random(3), totalFiles: 39);

        var rows = FileRowPattern().Count(FilesTable(answer));
        Assert.InRange(rows, 2, 4);
        Assert.Contains($"_{rows} of 39 files shown._", answer, StringComparison.Ordinal);
    }

    [Fact]
    public void A_small_total_lists_every_file_and_claims_no_more()
    {
        var answer = DemoMarkdown.Compose("Build a FastAPI service for todos", new Random(3), totalFiles: 2);

        Assert.Equal(2, FileRowPattern().Count(FilesTable(answer)));
        Assert.DoesNotContain("files shown", answer, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_seed_gives_the_same_answer()
    {
        Assert.Equal(
            DemoMarkdown.Compose("Add a due date to todos", new Random(11), 20),
            DemoMarkdown.Compose("Add a due date to todos", new Random(11), 20));
    }

    private static string FilesTable(string answer)
    {
        var start = answer.IndexOf("### Files", StringComparison.Ordinal);
        var end = answer.IndexOf("### Code", StringComparison.Ordinal);
        return answer[start..end];
    }

    [GeneratedRegex(@"```(\w+)\n")]
    private static partial Regex FencePattern();

    [GeneratedRegex(@"^\| `", RegexOptions.Multiline)]
    private static partial Regex FileRowPattern();
}
