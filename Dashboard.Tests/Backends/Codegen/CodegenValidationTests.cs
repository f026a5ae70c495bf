using Dashboard.Domain;
using System.Text.Json;
using Dashboard.Backends;
using Dashboard.Backends.Codegen;
using Dashboard.Configuration;

namespace Dashboard.Tests.Backends.Codegen;

public sealed class CodegenValidationTests
{
    private static RunRequest Request(string prompt, string? parent = null, string? optionsJson = null) =>
        new("cg", prompt, parent, optionsJson is null ? null : JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(optionsJson));

    [Theory]
    [InlineData(9, null, true)]
    [InlineData(10, null, false)]
    [InlineData(5000, null, false)]
    [InlineData(5001, null, true)]
    [InlineData(2000, "parent", false)]
    [InlineData(2001, "parent", true)]
    [InlineData(9, "parent", true)]
    public void Prompt_length_mirrors_the_upstream(int length, string? parent, bool invalid)
    {
        var errors = CodegenRunOptions.Validate(Request(new string('x', length), parent));

        Assert.Equal(invalid, errors.Any(e => e.Field == "prompt"));
        Assert.All(errors, e => Assert.Equal("prompt", e.Field));
    }

    [Fact]
    public void Valid_options_pass()
    {
        var errors = CodegenRunOptions.Validate(Request("Build a todo API with users",
            optionsJson: """{"tech_stack":"fastapi_postgres","domain":"task_management","constraints":["pagination","docker"],"generation_mode":"enhanced"}"""));

        Assert.Empty(errors);
    }

    [Theory]
    [InlineData("""{"tech_stack":"django"}""", "tech_stack")]
    [InlineData("""{"domain":"gaming"}""", "domain")]
    [InlineData("""{"generation_mode":"turbo"}""", "generation_mode")]
    [InlineData("""{"generation_mode":3}""", "generation_mode")]
    [InlineData("""{"constraints":["pagination","teleportation"]}""", "constraints")]
    [InlineData("""{"constraints":"pagination"}""", "constraints")]
    [InlineData("""{"constraints":[1]}""", "constraints")]
    public void Bad_options_name_the_field(string options, string field)
    {
        var error = Assert.Single(CodegenRunOptions.Validate(Request("Build a todo API with users", optionsJson: options)));

        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void Iteration_ignores_new_generation_options_but_checks_the_mode()
    {
        var errors = CodegenRunOptions.Validate(Request("Add a search endpoint", "parent", """{"tech_stack":"django","generation_mode":"turbo"}"""));

        Assert.Equal("generation_mode", Assert.Single(errors).Field);
    }

    [Fact]
    public void Options_validation_names_every_key_to_fix()
    {
        var kind = new CodegenKind();

        var problems = kind.ValidateOptions(new BackendOptions { Name = "cg", Kind = "codegen", BaseUrl = "localhost:8000" }, "Dashboard:Backends:1").ToList();

        Assert.Equal(
        [
            "Dashboard:Backends:1:BaseUrl must be an absolute http:// or https:// URL for kind codegen",
            "Dashboard:Backends:1:Username is required for kind codegen",
            "Dashboard:Backends:1:Password is required for kind codegen",
        ], problems);
        Assert.Empty(kind.ValidateOptions(new BackendOptions { BaseUrl = "http://127.0.0.1:8000/api", Username = "u", Password = "p" }, "X"));
    }

    [Fact]
    public void Unknown_options_are_refused_like_every_other_kind()
    {
        var errors = CodegenRunOptions.Validate(Request("Build a todo API with users", optionsJson: """{"temperature":0.2,"domain":"general","zzz":1}"""));

        Assert.Equal([new FieldError("temperature", "This backend has no such option."), new FieldError("zzz", "This backend has no such option.")], errors);
    }
}
