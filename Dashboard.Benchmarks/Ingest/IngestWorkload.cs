namespace Dashboard.Benchmarks.Ingest;

/// <summary>Benchmark 1's streams: codegen progress events, or OpenAI chat chunks of one token each.</summary>
public enum IngestWorkload
{
    Codegen,
    OpenAiChatTokens,
}
