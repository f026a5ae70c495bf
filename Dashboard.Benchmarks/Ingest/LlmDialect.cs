namespace Dashboard.Benchmarks.Ingest;

/// <summary>The LLM dialects whose decoders read each item with a JsonDocument before they read it in one pass.</summary>
public enum LlmDialect
{
    Anthropic,
    OpenAiResponses,
    Forge,
}
